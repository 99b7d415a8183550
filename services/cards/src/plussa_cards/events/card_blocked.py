"""`fi.plussa.cards.card.blocked`: A card was blocked; it never earns or spends again."""

from typing import ClassVar, Literal

from plussa_cards.events.base import CardEvent


class CardBlocked(CardEvent):
    """A card was blocked; it never earns or spends again."""

    event_type: ClassVar[str] = "fi.plussa.cards.card.blocked"
    partner: ClassVar[bool] = True
    reason: Literal["lost", "stolen", "damaged", "issuer"]
