"""This service's copy of cards, members, money access and MasterCard tokens, kept from
the cards service's events. A card snapshot is applied only when its version is newer
than the one held; a card now on a household brings along what it collected while unlinked."""

from datetime import datetime

from plussa_points.context import PointsContext, UnitOfWork
from plussa_points.domain.access import Member
from plussa_points.domain.linking import card_account
from plussa_points.events.consumed import (
    AccessChanged,
    CardChanged,
    HouseholdCreated,
    HouseholdHandedOver,
    MemberAdded,
    MemberRemoved,
    MemberRoleChanged,
    PaymentCardBlocked,
    PaymentCardLinked,
    PaymentCardUnlinked,
)
from plussa_shared.privacy import closed_for_erasure


async def apply_card(ctx: PointsContext, data: CardChanged, at: datetime) -> None:
    """Keep the newest snapshot of a card (an older or equal version changes nothing, and
    neither does any version of an erased person's card, whoever it names as holder)."""
    card = data.card
    snapshot = {
        "_id": card.card_id,
        "card_number": card.card_number,
        "kind": card.kind,
        "state": card.state,
        "household_id": card.household_id,
        "person_id": card.person_id,
        "can_earn": card.can_earn,
        "can_spend": card.can_spend,
        "version": card.version,
    }

    async def work(uow: UnitOfWork) -> None:
        if closed_for_erasure(card.state, data.reason):
            await ctx.store.members.forget_card(card.card_id, card.person_id, uow.session)
            return
        if await ctx.store.members.erased_holders.refuses(card.card_id, card.person_id, uow.session):
            return
        await ctx.store.members.keep_card(snapshot, card.version, uow.session)
        if card.household_id is not None:
            await ctx.store.ledger.open_account(card.household_id, uow.session)
            await move_card_points(ctx, uow, card.card_id, card.household_id, card.person_id, at)

    await ctx.run(work)


async def move_card_points(
    ctx: PointsContext, uow: UnitOfWork, card_id: str, household_id: str, person_id: str | None, at: datetime
) -> int:
    """Move what an unlinked card collected to the household; return the points moved."""
    points = await ctx.store.ledger.move_card_account(card_id, household_id, person_id, at, uow.session)
    if points is None:
        return 0
    await ctx.store.purchases.reattribute(card_account(card_id), household_id, person_id, uow.session)
    if person_id is not None:
        await ctx.store.pages.rebuild_person(person_id, uow.session)
    return points


async def household_created(ctx: PointsContext, data: HouseholdCreated) -> None:
    """Open the household's account."""

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.ledger.open_account(data.household_id, uow.session)

    await ctx.run(work)


async def member_added(ctx: PointsContext, data: MemberAdded, at: datetime) -> None:
    """Record a membership (role and money access only; no names or contact details)."""
    member = Member(data.household_id, data.person_id, data.role, data.can_use_money)

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.members.add_member(member, at, uow.session)
        await ctx.store.ledger.open_account(data.household_id, uow.session)

    await ctx.run(work)


async def member_removed(ctx: PointsContext, data: MemberRemoved, at: datetime) -> None:
    """A removed member keeps their history but no longer sees or uses anything."""

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.members.remove_member(data.household_id, data.person_id, at, uow.session)

    await ctx.run(work)


async def access_changed(ctx: PointsContext, data: AccessChanged, at: datetime) -> None:
    """The main holder granted or withdrew a parallel holder's money access."""

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.members.set_money_access(data.household_id, data.person_id, data.can_use_money, at, uow.session)

    await ctx.run(work)


async def payment_card_linked(ctx: PointsContext, data: PaymentCardLinked) -> None:
    """Remember a K-Plussa MasterCard by its token only."""

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.members.keep_payment_card(
            data.payment_card_id, data.network_token, uow.session, household_id=data.household_id, blocked=False
        )

    await ctx.run(work)


async def payment_card_blocked(ctx: PointsContext, data: PaymentCardBlocked) -> None:
    """A blocked MasterCard no longer brings extra points, whatever arrives later."""

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.members.keep_payment_card(
            data.payment_card_id, data.network_token, uow.session, household_id=None, blocked=True
        )

    await ctx.run(work)


async def payment_card_unlinked(ctx: PointsContext, data: PaymentCardUnlinked) -> None:
    """A MasterCard that left the household with its holder earns no more MasterCard points there."""

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.members.unlink_payment_card(data.payment_card_id, data.household_id, uow.session)

    await ctx.run(work)


async def role_changed(ctx: PointsContext, data: MemberRoleChanged, at: datetime) -> None:
    """A member's role and money access after a hand-over."""

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.members.set_role(
            data.household_id, data.person_id, data.role, data.can_use_money, at, uow.session
        )

    await ctx.run(work)


async def handed_over(ctx: PointsContext, data: HouseholdHandedOver, at: datetime) -> None:
    """The household has a new main holder; the former one stays on with money access (as
    the contract says; ``member.role_changed`` follows with the same, and any later access
    change arrives as its own event)."""

    async def work(uow: UnitOfWork) -> None:
        members = ctx.store.members
        await members.set_role(data.household_id, data.main_person_id, "main", True, at, uow.session)
        await members.set_role(data.household_id, data.previous_main_person_id, "parallel", True, at, uow.session)

    await ctx.run(work)


MEMBERS_BATCH = 200
"""Memberships read per transaction when lists of members are built for existing households."""


async def build_balance_members(ctx: PointsContext) -> int:
    """List the active members in the balance view of every household with a membership,
    a batch of households per transaction (a membership change at the same time meets it
    as a write conflict and one of the two runs again); how many households. Membership
    changes keep the lists current afterwards; running it again changes nothing."""
    balance = ctx.store.ledger.balance
    built = 0
    after: str | None = None
    while ids := await balance.households_with_members(after, MEMBERS_BATCH):

        async def work(uow: UnitOfWork, ids: list[str] = ids) -> None:
            await balance.refresh_members(ids, uow.session)

        await ctx.run(work)
        built += len(ids)
        after = ids[-1]
    return built
