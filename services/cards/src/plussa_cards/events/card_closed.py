"""`fi.plussa.cards.card.closed`: A card was closed for good."""

from typing import ClassVar

from plussa_cards.events.base import CardEvent


class CardClosed(CardEvent):
    """A card was closed for good."""

    event_type: ClassVar[str] = "fi.plussa.cards.card.closed"
    partner: ClassVar[bool] = True
    reason: str
