"""Read-only queries: they read the store directly and change nothing, so they open no transaction."""

from dataclasses import dataclass

from plussa_cards.context import CardsContext
from plussa_cards.domain.access import may_see_card, visible_cards
from plussa_cards.domain.card import Card
from plussa_cards.domain.card_number import parse_card_number
from plussa_cards.domain.errors import (
    CardNotFoundError,
    HouseholdNotFoundError,
    NotAMemberError,
    NotYourCardError,
    PaymentCardNotFoundError,
)
from plussa_cards.domain.household import Household, household_version
from plussa_cards.domain.lost_card_help import LOST_CARD_HELP, LostCardHelp
from plussa_cards.domain.member import Member
from plussa_cards.domain.payment_card import PaymentCard
from plussa_cards.use_cases.common import actor


@dataclass(frozen=True)
class HouseholdView:
    """A household as one of its members may see it."""

    actor: Member
    members: list[Member]
    cards: list[Card]
    version: int
    """Grows on every change the household's members may see (its ``ETag``)."""


@dataclass(frozen=True)
class CardLookup:
    """What a till needs to know about a card number."""

    card: Card
    holder_may_use_money: bool


async def household_view(ctx: CardsContext, person_id: str) -> HouseholdView:
    """The caller's household: the main holder sees everyone; a parallel holder sees themselves and
    who the main holder is (their name only: not their cards, nor the money). One read of the
    household's read model, which lists the caller only while they are an active member."""
    found = await ctx.store.household_view(person_id)
    if found is None:  # not a member, or a household whose read model is not built yet
        found = await _household_from_collections(ctx, person_id)
    household, members, cards = found
    member = next((m for m in members if m.person_id == person_id), None)
    if member is None:  # left between the reads of the collections
        raise NotAMemberError("You are not a member of a household")
    shown = members if member.is_main else [m for m in members if m.is_main or m.person_id == member.person_id]
    return HouseholdView(member, shown, visible_cards(member, cards), household_version(household, cards))


async def _household_from_collections(ctx: CardsContext, person_id: str) -> tuple[Household, list[Member], list[Card]]:
    member = await actor(ctx, None, person_id)
    household = await ctx.store.household(None, member.household_id)
    if household is None:
        raise NotAMemberError("Your household no longer exists")
    members = await ctx.store.members_of(None, member.household_id)
    return household, members, await ctx.store.cards_of_household(None, member.household_id)


async def household_for_operator(ctx: CardsContext, household_id: str) -> tuple[list[Member], list[Card]]:
    """Every active member of a household and its live cards, for customer service."""
    members = await ctx.store.members_of(None, household_id)
    if not members:
        raise HouseholdNotFoundError()
    cards = await ctx.store.cards_of_household(None, household_id)
    return members, [c for c in cards if c.is_live]


async def my_cards(ctx: CardsContext, person_id: str, limit: int, cursor: str | None) -> tuple[list[Card], str | None]:
    """A page of the live cards the caller may see (the main holder: the household's), oldest first."""
    member = await actor(ctx, None, person_id)
    holder = None if member.is_main else member.person_id
    return await ctx.store.live_cards_page(member.household_id, holder, limit, cursor)


async def card_view(ctx: CardsContext, person_id: str, card_id: str) -> Card:
    """A card of the caller's (a main holder: of their household), in any state."""
    member = await actor(ctx, None, person_id)
    card = await ctx.store.card(None, card_id)
    if card is None or card.household_id != member.household_id:
        raise CardNotFoundError()
    if not may_see_card(member, card):
        raise NotYourCardError()
    return card


async def payment_card_view(ctx: CardsContext, payment_card_id: str) -> PaymentCard:
    """A linked payment card, for the issuing bank."""
    card = await ctx.store.payment_card(None, payment_card_id)
    if card is None:
        raise PaymentCardNotFoundError()
    return card


async def look_up(ctx: CardsContext, card_number: str) -> CardLookup:
    """A till asks what a card number may do."""
    number = parse_card_number(card_number, ctx.settings.card_number_length)
    card = await ctx.store.card_by_number(None, number)
    if card is None:
        raise CardNotFoundError()
    holder = await ctx.store.member(None, card.person_id) if card.person_id else None
    return CardLookup(card, holder is not None and holder.may_use_money)


def lost_card_help(language: str) -> LostCardHelp:
    """The lost or damaged card instructions in ``language`` (fi, sv or en)."""
    return LOST_CARD_HELP[language]
