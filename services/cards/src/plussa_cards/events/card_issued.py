"""`fi.plussa.cards.card.issued`: A card was issued (to a member, or as an unlinked temporary card)."""

from typing import ClassVar

from plussa_cards.events.base import CardEvent


class CardIssued(CardEvent):
    """A card was issued (to a member, or as an unlinked temporary card)."""

    event_type: ClassVar[str] = "fi.plussa.cards.card.issued"
