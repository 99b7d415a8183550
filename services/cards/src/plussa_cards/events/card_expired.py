"""`fi.plussa.cards.card.expired`: A temporary card was not linked to a member in time and expired."""

from typing import ClassVar

from plussa_cards.events.base import CardEvent


class CardExpired(CardEvent):
    """A temporary card was not linked to a member in time and expired."""

    event_type: ClassVar[str] = "fi.plussa.cards.card.expired"
    partner: ClassVar[bool] = True
