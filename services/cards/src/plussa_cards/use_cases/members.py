"""A household's members as people: handing the household over, names, and online accounts."""

from dataclasses import dataclass

import structlog

from plussa_cards.context import CardsContext
from plussa_cards.domain.access import require_main_holder
from plussa_cards.domain.errors import MemberNotFoundError
from plussa_cards.domain.member import Member
from plussa_cards.use_cases.common import (
    actor,
    current_household_version,
    household_of,
    member_of_household,
    require_household_version,
)
from plussa_shared.context import UnitOfWork

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Changed:
    """A member after a change, and the household's version after it."""

    member: Member
    version: int


async def hand_over(
    ctx: CardsContext, person_id: str, successor_id: str, expected_version: int | None = None
) -> Changed:
    """The main holder makes an adult parallel holder the household's main holder; the
    answer is the former main holder, now a parallel holder."""
    now = ctx.now()

    async def work(uow: UnitOfWork) -> Changed:
        main = await actor(ctx, uow, person_id)
        require_main_holder(main)
        successor = await member_of_household(ctx, uow, main.household_id, successor_id)
        household, loaded = await household_of(ctx, uow, main.household_id)
        await require_household_version(ctx, uow, household, expected_version)
        household.hand_over(main, successor, now.date(), now)
        await ctx.store.save_household(uow, household, loaded)
        await ctx.store.save_member(uow, main)
        await ctx.store.save_member(uow, successor)
        return Changed(successor, await current_household_version(ctx, uow, household))

    changed = await ctx.run(work)
    log.info("household_handed_over", household_id=changed.member.household_id, person_id=successor_id)
    return changed


async def rename(
    ctx: CardsContext,
    person_id: str,
    target_id: str,
    first_name: str,
    last_name: str,
    expected_version: int | None = None,
) -> Changed:
    """A member changes their own name, or the main holder corrects a parallel holder's."""
    now = ctx.now()

    async def work(uow: UnitOfWork) -> Changed:
        caller = await actor(ctx, uow, person_id)
        if target_id != caller.person_id:
            require_main_holder(caller)
        target = await member_of_household(ctx, uow, caller.household_id, target_id)
        household, loaded = await household_of(ctx, uow, caller.household_id)
        await require_household_version(ctx, uow, household, expected_version)
        if household.rename_member(target, first_name, last_name, now):
            await ctx.store.save_household(uow, household, loaded)
            await ctx.store.save_member(uow, target)
        return Changed(target, await current_household_version(ctx, uow, household))

    changed = await ctx.run(work)
    log.info("member_renamed", person_id=target_id)
    return changed


async def online_account(ctx: CardsContext, person_id: str, has_account: bool) -> None:
    """Identity told whether the person has an online account (registered, or erased)."""

    async def work(uow: UnitOfWork) -> None:
        member = await ctx.store.member(uow, person_id)
        if member is None:
            if has_account:
                raise MemberNotFoundError("A registration for a person cards does not know")
            return
        household = await ctx.store.household(uow, member.household_id)
        if household is None:
            return
        loaded = household.version
        if household.set_online_account(member, has_account):
            await ctx.store.save_household(uow, household, loaded)
            await ctx.store.save_member(uow, member)

    await ctx.run(work)
