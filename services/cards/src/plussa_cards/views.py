"""Read-only queries: they read the store directly and change nothing, so they open no transaction."""

from dataclasses import dataclass

from plussa_cards.context import CardsContext
from plussa_cards.domain.access import visible_cards
from plussa_cards.domain.card import Card
from plussa_cards.domain.card_number import parse_card_number
from plussa_cards.domain.errors import CardNotFoundError, HouseholdNotFoundError
from plussa_cards.domain.lost_card_help import LOST_CARD_HELP, HelpLanguage, LostCardHelp
from plussa_cards.domain.member import Member
from plussa_cards.use_cases.common import actor


@dataclass(frozen=True)
class HouseholdView:
    """A household as one of its members may see it."""

    actor: Member
    members: list[Member]
    cards: list[Card]


@dataclass(frozen=True)
class CardLookup:
    """What a till needs to know about a card number."""

    card: Card
    holder_may_use_money: bool


async def household_view(ctx: CardsContext, person_id: str) -> HouseholdView:
    """The caller's household: the main holder sees everyone, a parallel holder themselves."""
    member = await actor(ctx, None, person_id)
    members = await ctx.store.members_of(None, member.household_id)
    cards = await ctx.store.cards_of_household(None, member.household_id)
    shown = members if member.is_main else [member]
    return HouseholdView(member, shown, visible_cards(member, cards))


async def household_for_operator(ctx: CardsContext, household_id: str) -> tuple[list[Member], list[Card]]:
    """Every active member of a household and its live cards, for customer service."""
    members = await ctx.store.members_of(None, household_id)
    if not members:
        raise HouseholdNotFoundError()
    cards = await ctx.store.cards_of_household(None, household_id)
    return members, [c for c in cards if c.is_live]


async def my_cards(ctx: CardsContext, person_id: str) -> list[Card]:
    """The live cards the caller may see."""
    member = await actor(ctx, None, person_id)
    return visible_cards(member, await ctx.store.cards_of_household(None, member.household_id))


async def look_up(ctx: CardsContext, card_number: str) -> CardLookup:
    """A till asks what a card number may do."""
    number = parse_card_number(card_number, ctx.settings.card_number_length)
    card = await ctx.store.card_by_number(None, number)
    if card is None:
        raise CardNotFoundError()
    holder = await ctx.store.member(None, card.person_id) if card.person_id else None
    return CardLookup(card, holder is not None and holder.may_use_money)


def lost_card_help(language: HelpLanguage) -> LostCardHelp:
    """The lost or damaged card instructions in ``language``."""
    return LOST_CARD_HELP[language]
