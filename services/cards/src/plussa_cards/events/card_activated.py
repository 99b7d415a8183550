"""`fi.plussa.cards.card.activated`: A card was activated and may now be used."""

from typing import ClassVar

from plussa_cards.events.base import CardEvent


class CardActivated(CardEvent):
    """A card was activated and may now be used."""

    event_type: ClassVar[str] = "fi.plussa.cards.card.activated"
    partner: ClassVar[bool] = True
