"""`fi.plussa.cards.card.linked`: A temporary card was linked to a member's account."""

from typing import ClassVar

from plussa_cards.events.base import CardEvent


class CardLinked(CardEvent):
    """A temporary card was linked to a member's account."""

    event_type: ClassVar[str] = "fi.plussa.cards.card.linked"
