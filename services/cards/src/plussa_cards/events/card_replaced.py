"""`fi.plussa.cards.card.replaced`: A card was replaced by a new card on the same account; `card` is the old card."""

from typing import ClassVar

from plussa_cards.events.base import CardEvent


class CardReplaced(CardEvent):
    """A card was replaced by a new card on the same account; `card` is the old card."""

    event_type: ClassVar[str] = "fi.plussa.cards.card.replaced"
    partner: ClassVar[bool] = True
    new_card_id: str
