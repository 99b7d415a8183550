"""Joining Plussa: a new customer's application."""

from dataclasses import dataclass

import structlog

from plussa_cards.context import CardsContext
from plussa_cards.domain.card import Card, CardKind
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


async def apply(ctx: CardsContext, details: PersonDetails) -> Joined:
    """A new customer joins: a household with them as main holder, and an active main card."""
    now = ctx.now()

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

    joined = await ctx.run(work)
    log.info("member_joined", household_id=joined.household.household_id, person_id=joined.member.person_id)
    return joined
