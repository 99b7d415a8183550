"""Steps several use cases share: who the caller is, which card they act on, a new card."""

import uuid
from datetime import date, datetime

from plussa_cards.context import CardsContext
from plussa_cards.domain.access import require_card_holder
from plussa_cards.domain.card import Card, CardKind
from plussa_cards.domain.errors import (
    AlreadyAMemberError,
    CardNotFoundError,
    MemberNotFoundError,
    NotAMemberError,
    StaleVersionError,
)
from plussa_cards.domain.household import Household, household_version
from plussa_cards.domain.member import Member
from plussa_shared.context import UnitOfWork


def new_id() -> str:
    """A fresh opaque id."""
    return uuid.uuid4().hex


async def actor(ctx: CardsContext, uow: UnitOfWork | None, person_id: str) -> Member:
    """The caller, from our own records (never from a token's claims); an active member or NotAMemberError."""
    member = await ctx.store.member(uow, person_id)
    if member is None or not member.is_active:
        raise NotAMemberError("You are not a member of a household")
    return member


async def member_of_household(ctx: CardsContext, uow: UnitOfWork, household_id: str, person_id: str) -> Member:
    """An active member of ``household_id``, or MemberNotFoundError."""
    member = await ctx.store.member(uow, person_id)
    if member is None or not member.is_active or member.household_id != household_id:
        raise MemberNotFoundError()
    return member


async def household_of(ctx: CardsContext, uow: UnitOfWork, household_id: str) -> tuple[Household, int]:
    """The caller's household and the version it was loaded at."""
    household = await ctx.store.household(uow, household_id)
    if household is None:
        raise NotAMemberError("Your household no longer exists")
    return household, household.version


async def require_household_version(
    ctx: CardsContext, uow: UnitOfWork, household: Household, expected: int | None
) -> None:
    """412 unless ``expected`` (an ``If-Match``) is the household's version as its members see it.

    Read in the write's transaction; the household's own save is filtered on the version it
    was loaded at, so a change made meanwhile makes the write run again and fail here.
    """
    if expected is None:
        return
    cards = await ctx.store.cards_of_household(uow, household.household_id)
    if household_version(household, cards) != expected:
        raise StaleVersionError()


async def current_household_version(ctx: CardsContext, uow: UnitOfWork, household: Household) -> int:
    """The household's version after a change, for the answer's ``ETag``."""
    return household_version(household, await ctx.store.cards_of_household(uow, household.household_id))


def require_card_version(card: Card, expected: int | None) -> None:
    """412 unless ``expected`` (an ``If-Match``) is the card's version."""
    if expected is not None and card.version != expected:
        raise StaleVersionError()


async def card_for(ctx: CardsContext, uow: UnitOfWork, person_id: str, card_id: str) -> Card:
    """A card the caller may act on: their own, or any of their household's if they are its main holder."""
    member = await actor(ctx, uow, person_id)
    card = await ctx.store.card(uow, card_id)
    if card is None:
        raise CardNotFoundError()
    require_card_holder(member, card)
    return card


async def refuse_existing_member(ctx: CardsContext, uow: UnitOfWork, member: Member) -> None:
    """Membership is personal: AlreadyAMemberError if this person is a member already."""
    if await ctx.store.member_exists(uow, member):
        raise AlreadyAMemberError("This person already has a Plussa membership")


def issue_card(
    ctx: CardsContext,
    kind: CardKind,
    household_id: str | None,
    person_id: str | None,
    now: datetime,
    *,
    valid_until: date | None = None,
    issued_by: str | None = None,
) -> Card:
    """A new active card with a fresh number."""
    return Card.issue(
        card_id=new_id(),
        card_number=ctx.new_card_number(),
        kind=kind,
        household_id=household_id,
        person_id=person_id,
        now=now,
        active=True,
        valid_until=valid_until,
        issued_by=issued_by,
    )
