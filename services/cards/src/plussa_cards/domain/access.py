"""Who may see and act on which card: decided from our own records, never from a token's claims."""

from collections.abc import Iterable

from plussa_cards.domain.card import Card
from plussa_cards.domain.errors import CardNotFoundError, MainHolderOnlyError, NotYourCardError
from plussa_cards.domain.member import Member


def require_main_holder(actor: Member) -> None:
    """Only the household's main holder may go on."""
    if not actor.is_main:
        raise MainHolderOnlyError()


def may_see_card(actor: Member, card: Card) -> bool:
    """The main holder sees every card of the household; a parallel holder sees their own."""
    return (
        actor.is_active
        and card.household_id == actor.household_id
        and (actor.is_main or card.person_id == actor.person_id)
    )


def require_card_holder(actor: Member, card: Card) -> None:
    """The card's holder or their household's main holder may act on it.

    A card of another household is "not found", so its existence is not revealed; a
    parallel holder acting on another member's card is refused.
    """
    if not actor.is_active or card.household_id != actor.household_id:
        raise CardNotFoundError()
    if not may_see_card(actor, card):
        raise NotYourCardError()


def visible_cards(actor: Member, cards: Iterable[Card]) -> list[Card]:
    """The live cards ``actor`` may see."""
    return [card for card in cards if card.is_live and may_see_card(actor, card)]
