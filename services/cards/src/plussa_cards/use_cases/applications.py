"""Joining Plussa: a new customer's application."""

from dataclasses import dataclass
from datetime import timedelta

import structlog

from plussa_cards.context import CardsContext
from plussa_cards.domain.card import Card, CardKind
from plussa_cards.domain.errors import AlreadyAMemberError, AlreadyAMemberThrottledError
from plussa_cards.domain.household import Household
from plussa_cards.domain.member import Member, PersonDetails, Role
from plussa_cards.use_cases.common import issue_card, new_id, refuse_existing_member
from plussa_shared.context import UnitOfWork

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Joined:
    """What an application created."""

    household: Household
    member: Member
    card: Card


async def apply(ctx: CardsContext, details: PersonDetails, client_address: str) -> Joined:
    """A new customer joins: a household with them as main holder, and an active main card.

    The `already-a-member` answer tells whether a person is a member, so one address gets
    it a limited number of times per window; past the limit every application from that
    address is throttled (429), whatever the answer would have been.
    """
    now = ctx.now()
    window_s = ctx.settings.already_member_window_s
    window = int(now.timestamp()) // window_s
    retry_after = (window + 1) * window_s - int(now.timestamp())
    limit = ctx.settings.already_member_answers_per_window
    if await ctx.store.refusals(client_address, window) >= limit:
        raise AlreadyAMemberThrottledError(retry_after=retry_after)

    async def work(uow: UnitOfWork) -> Joined:
        household_id = new_id()
        main = Member.join(
            person_id=new_id(),
            household_id=household_id,
            role=Role.MAIN,
            details=details,
            can_use_money=True,
            now=now,
        )
        await refuse_existing_member(ctx, uow, main)
        household = Household.create(household_id, main, now)
        card = issue_card(ctx, CardKind.MAIN, household_id, main.person_id, now)
        await ctx.store.add_household(uow, household)
        await ctx.store.save_member(uow, main)
        await ctx.store.save_card(uow, card)
        return Joined(household, main, card)

    try:
        joined = await ctx.run(work)
    except AlreadyAMemberError:
        # Counted atomically after the check, so parallel guesses cannot exceed the limit.
        expires_at = now + timedelta(seconds=retry_after + window_s)
        if await ctx.store.count_refusal(client_address, window, expires_at) > limit:
            raise AlreadyAMemberThrottledError(retry_after=retry_after) from None
        raise
    log.info("member_joined", household_id=joined.household.household_id, person_id=joined.member.person_id)
    return joined
