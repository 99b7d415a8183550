"""Keeping identity's own view of cards and members from the cards events.

Replicas apply one member's events in any order: each event sets only the fields it is
the latest writer of (by the event's time), so the view ends as applying them in order
would (``store/members.py``)."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from plussa_identity.context import IdentityContext
from plussa_identity.domain.members import CardView
from plussa_identity.events.consumed import (
    AccessChanged,
    CardChanged,
    HouseholdCreated,
    HouseholdHandedOver,
    MemberAdded,
    MemberRemoved,
    MemberRenamed,
    MemberRoleChanged,
)
from plussa_identity.use_cases.sessions import end_all_sessions
from plussa_shared.context import UnitOfWork
from plussa_shared.events import CloudEvent
from plussa_shared.privacy import closed_for_erasure


async def card_changed(ctx: IdentityContext, event: CloudEvent[CardChanged]) -> None:
    """Keep the card as the newest version describes it; older versions change nothing, and
    neither does any version of an erased person's card, whoever it names as holder."""
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
        if closed_for_erasure(card.state, event.data.reason):
            await ctx.store.forget_card(card.card_id, card.person_id, uow.session)
        elif not await ctx.store.erased_holders.refuses(card.card_id, card.person_id, uow.session):
            await ctx.store.save_card_if_newer(view, uow.session)

    await ctx.run(work)


async def household_created(ctx: IdentityContext, event: CloudEvent[HouseholdCreated]) -> None:
    """The main holder of a new household (who may always use the money)."""
    data = event.data
    await _membership(
        ctx, data.household_id, data.main_person_id, {"role": "main", "active": True}, event.time, can_use_money=True
    )


async def member_added(ctx: IdentityContext, event: CloudEvent[MemberAdded]) -> None:
    """A person joined a household (what they gave on the card application included)."""
    data = event.data
    person = data.model_dump(mode="json", include={"first_name", "last_name", "date_of_birth", "email", "language"})

    async def work(uow: UnitOfWork) -> None:
        fields = {"role": data.role, "can_use_money": data.can_use_money, "active": True}
        await ctx.store.change_membership(data.household_id, data.person_id, fields, event.time, uow.session)
        await ctx.store.change_person(data.person_id, person, event.time, uow.session)

    await ctx.run(work)


async def member_renamed(ctx: IdentityContext, event: CloudEvent[MemberRenamed]) -> None:
    """The person's name changed at cards, which owns it; the profile shows it from now on."""
    data = event.data
    name = {"first_name": data.first_name, "last_name": data.last_name}

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.change_person(data.person_id, name, event.time, uow.session)

    await ctx.run(work)


async def member_removed(ctx: IdentityContext, event: CloudEvent[MemberRemoved]) -> None:
    """A person left the household: their sessions end (tokens name the household they left);
    unless they joined another one, they cannot refresh or log in."""
    data = event.data
    now = ctx.now()

    async def work(uow: UnitOfWork) -> None:
        was_active = await ctx.store.change_membership(
            data.household_id,
            data.person_id,
            {"active": False, "can_use_money": False},
            event.time,
            uow.session,
            defaults={"role": "parallel"},
        )
        member = await ctx.store.member(data.person_id, uow.session)
        # order-proof: whichever of leaving and joining another household came first
        if was_active and (member is None or member.household_id != data.household_id):
            await end_all_sessions(ctx, uow, data.person_id, "membership-ended", now)

    await ctx.run(work)


async def access_changed(ctx: IdentityContext, event: CloudEvent[AccessChanged]) -> None:
    """Whether a parallel holder may see and use the Plussa money."""
    data = event.data
    fields = {"can_use_money": data.can_use_money}
    await _membership(ctx, data.household_id, data.person_id, fields, event.time, role="parallel", active=True)


async def role_changed(ctx: IdentityContext, event: CloudEvent[MemberRoleChanged]) -> None:
    """After a hand-over: the member's new role and money access; tokens issued from now on say so."""
    data = event.data
    fields = {"role": data.role, "can_use_money": data.can_use_money}
    await _membership(ctx, data.household_id, data.person_id, fields, event.time, active=True)


async def handed_over(ctx: IdentityContext, event: CloudEvent[HouseholdHandedOver]) -> None:
    """The household has a new main holder; the former one stays on as a parallel holder
    (their money access is what ``member.role_changed`` says)."""
    data = event.data

    async def work(uow: UnitOfWork) -> None:
        store, at = ctx.store, event.time
        main = {"role": "main", "can_use_money": True}
        await store.change_membership(data.household_id, data.main_person_id, main, at, uow.session, defaults=_ACTIVE)
        previous = {"role": "parallel"}
        defaults = {**_ACTIVE, "can_use_money": True}
        await store.change_membership(
            data.household_id, data.previous_main_person_id, previous, at, uow.session, defaults=defaults
        )

    await ctx.run(work)


_ACTIVE = {"active": True}


async def _membership(
    ctx: IdentityContext,
    household_id: str,
    person_id: str,
    fields: Mapping[str, Any],
    at: datetime,
    **defaults: Any,
) -> None:
    async def work(uow: UnitOfWork) -> None:
        await ctx.store.change_membership(household_id, person_id, fields, at, uow.session, defaults=defaults)

    await ctx.run(work)
