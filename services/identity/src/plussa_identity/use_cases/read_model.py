"""Keeping identity's own view of cards and members from the cards events."""

from typing import Any

from plussa_identity.context import IdentityContext
from plussa_identity.domain.members import CardView
from plussa_identity.events.consumed import (
    AccessChanged,
    CardChanged,
    HouseholdCreated,
    MemberAdded,
    MemberRemoved,
    MemberRenamed,
)
from plussa_identity.use_cases.sessions import end_all_sessions
from plussa_shared.context import UnitOfWork
from plussa_shared.events import CloudEvent


async def card_changed(ctx: IdentityContext, event: CloudEvent[CardChanged]) -> None:
    """Keep the card as the newest version describes it; older versions change nothing."""
    card = event.data.card
    view = CardView(
        card_id=card.card_id,
        card_number=card.card_number,
        kind=card.kind,
        state=card.state,
        household_id=card.household_id,
        person_id=card.person_id,
        version=card.version,
    )

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.save_card_if_newer(view, uow.session)

    await ctx.run(work)


async def household_created(ctx: IdentityContext, event: CloudEvent[HouseholdCreated]) -> None:
    """The main holder of a new household."""
    data = event.data
    await _update_member(
        ctx, data.main_person_id, {"household_id": data.household_id, "role": "main", "removed": False}
    )


async def member_added(ctx: IdentityContext, event: CloudEvent[MemberAdded]) -> None:
    """A person joined a household (what they gave on the card application included)."""
    fields = event.data.model_dump(mode="json", exclude={"person_id"})
    await _update_member(ctx, event.data.person_id, {**fields, "removed": False})


async def member_renamed(ctx: IdentityContext, event: CloudEvent[MemberRenamed]) -> None:
    """The person's name changed at cards, which owns it; the profile shows it from now on."""
    data = event.data

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.rename_member(data.person_id, data.first_name, data.last_name, uow.session)

    await ctx.run(work)


async def member_removed(ctx: IdentityContext, event: CloudEvent[MemberRemoved]) -> None:
    """A person left the household: their sessions end and they cannot refresh or log in."""
    data = event.data
    now = ctx.now()

    async def work(uow: UnitOfWork) -> None:
        member = await ctx.store.member(data.person_id, uow.session)
        if member is None or member.household_id != data.household_id:
            return
        await ctx.store.update_member(
            data.person_id,
            {"household_id": None, "role": None, "removed": True, "can_use_money": False},
            uow.session,
        )
        await end_all_sessions(ctx, uow, data.person_id, "membership-ended", now)

    await ctx.run(work)


async def access_changed(ctx: IdentityContext, event: CloudEvent[AccessChanged]) -> None:
    """Whether a parallel holder may see and use the Plussa money."""
    await _update_member(ctx, event.data.person_id, {"can_use_money": event.data.can_use_money})


async def _update_member(ctx: IdentityContext, person_id: str, fields: dict[str, Any]) -> None:
    async def work(uow: UnitOfWork) -> None:
        await ctx.store.update_member(person_id, fields, uow.session)

    await ctx.run(work)
