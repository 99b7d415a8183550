"""`fi.plussa.cards.card.linked`: a card was put on a household's account."""

from typing import ClassVar

from plussa_cards.events.base import CardEvent


class CardLinked(CardEvent):
    """A card was put on a household's account: a temporary card linked to a member, or a card
    that moved with its holder to a household of their own (when a household is closed)."""

    event_type: ClassVar[str] = "fi.plussa.cards.card.linked"
