"""The household's parallel holders: ordering their cards (online or in a store), removing them,
and their right to see and use the Plussa money."""

from dataclasses import dataclass
from datetime import datetime

import structlog

from plussa_cards.context import CardsContext
from plussa_cards.domain.access import require_main_holder
from plussa_cards.domain.card import Card, CardKind
from plussa_cards.domain.card_number import parse_card_number
from plussa_cards.domain.errors import CardNotFoundError, IllegalCardTransitionError, MainHolderOnlyError
from plussa_cards.domain.household import Household
from plussa_cards.domain.member import Member, PersonDetails, Role
from plussa_cards.use_cases.common import (
    actor,
    household_of,
    issue_card,
    member_of_household,
    new_id,
    refuse_existing_member,
    require_household_version,
)
from plussa_shared.context import UnitOfWork

log = structlog.get_logger(__name__)

MEMBER_REMOVED = "member_removed"
"""Why the cards of a removed parallel holder were closed."""


@dataclass(frozen=True)
class NewParallelHolder:
    """A parallel holder just added, with their card."""

    member: Member
    card: Card


async def order_parallel_card(
    ctx: CardsContext, person_id: str, details: PersonDetails, expected_version: int | None = None
) -> NewParallelHolder:
    """The main holder orders a parallel card for another person of the household."""
    now = ctx.now()

    async def work(uow: UnitOfWork) -> NewParallelHolder:
        main = await actor(ctx, uow, person_id)
        require_main_holder(main)
        household, _ = await household_of(ctx, uow, main.household_id)
        await require_household_version(ctx, uow, household, expected_version)
        return await _add_parallel_holder(ctx, uow, main.household_id, details, None, now)

    return await ctx.run(work)


async def order_parallel_card_in_store(
    ctx: CardsContext, main_card_number: str, details: PersonDetails, store_id: str
) -> NewParallelHolder:
    """A store orders a parallel card for the household of the main holder's card it was shown."""
    number = parse_card_number(main_card_number, ctx.settings.card_number_length)
    now = ctx.now()

    async def work(uow: UnitOfWork) -> NewParallelHolder:
        card = await ctx.store.card_by_number(uow, number)
        if card is None or card.person_id is None:
            raise CardNotFoundError()
        holder = await ctx.store.member(uow, card.person_id)
        if holder is None or not holder.is_active or not holder.is_main:
            raise MainHolderOnlyError("Show the main holder's card to order a parallel card")
        if not card.can_earn(now.date()):
            raise IllegalCardTransitionError("The card shown is not in use", state=card.state.value)
        return await _add_parallel_holder(ctx, uow, holder.household_id, details, store_id, now)

    return await ctx.run(work)


async def remove_parallel_holder(
    ctx: CardsContext, person_id: str, parallel_person_id: str, expected_version: int | None = None
) -> None:
    """The main holder removes a parallel holder; their Plussa cards are closed and their
    K-Plussa MasterCards, which are their own, leave the household with them (unlinked)."""
    now = ctx.now()

    async def work(uow: UnitOfWork) -> None:
        target, household, loaded = await _parallel_holder_for_main(ctx, uow, person_id, parallel_person_id)
        await require_household_version(ctx, uow, household, expected_version)
        household.remove_parallel_holder(target, now)
        await ctx.store.save_household(uow, household, loaded)
        for card in await ctx.store.cards_of_person(uow, target.person_id):
            if card.is_live:
                card.close(MEMBER_REMOVED, now)
                await ctx.store.save_card(uow, card)
        for payment_card in await ctx.store.payment_cards_of_person(uow, target.person_id):
            payment_card.unlink(MEMBER_REMOVED, now)
            await ctx.store.save_payment_card(uow, payment_card)
        await ctx.store.save_member(uow, target)

    await ctx.run(work)
    log.info("parallel_holder_removed", person_id=parallel_person_id)


async def set_money_access(
    ctx: CardsContext, person_id: str, parallel_person_id: str, allowed: bool, expected_version: int | None = None
) -> Member:
    """The main holder grants or withdraws a parallel holder's right to see and use the money."""
    now = ctx.now()

    async def work(uow: UnitOfWork) -> Member:
        target, household, loaded = await _parallel_holder_for_main(ctx, uow, person_id, parallel_person_id)
        await require_household_version(ctx, uow, household, expected_version)
        if household.set_money_access(target, allowed, now):
            await ctx.store.save_household(uow, household, loaded)
            await ctx.store.save_member(uow, target)
        return target

    member = await ctx.run(work)
    log.info("money_access_set", person_id=member.person_id, can_use_money=member.can_use_money)
    return member


async def _parallel_holder_for_main(
    ctx: CardsContext, uow: UnitOfWork, person_id: str, parallel_person_id: str
) -> tuple[Member, Household, int]:
    """The parallel holder the caller, who must be the main holder, acts on, and their household."""
    main = await actor(ctx, uow, person_id)
    require_main_holder(main)
    target = await member_of_household(ctx, uow, main.household_id, parallel_person_id)
    household, loaded = await household_of(ctx, uow, main.household_id)
    return target, household, loaded


async def _add_parallel_holder(
    ctx: CardsContext, uow: UnitOfWork, household_id: str, details: PersonDetails, store_id: str | None, now: datetime
) -> NewParallelHolder:
    household, loaded = await household_of(ctx, uow, household_id)
    member = Member.join(
        person_id=new_id(),
        household_id=household_id,
        role=Role.PARALLEL,
        details=details,
        can_use_money=ctx.settings.parallel_holders_can_use_money_by_default,
        now=now,
    )
    await refuse_existing_member(ctx, uow, member)
    household.add_parallel_holder(member, ctx.settings.max_parallel_holders, now)
    card = issue_card(ctx, CardKind.PARALLEL, household_id, member.person_id, now, issued_by=store_id)
    await ctx.store.save_household(uow, household, loaded)
    await ctx.store.save_member(uow, member)
    await ctx.store.save_card(uow, card)
    return NewParallelHolder(member, card)
