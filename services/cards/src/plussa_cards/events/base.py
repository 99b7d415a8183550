"""What the cards service's published events have in common: their CloudEvents subject."""

from datetime import datetime

from plussa_cards.events.card_snapshot import CardSnapshot
from plussa_shared.events import EventData


class CardEvent(EventData):
    """An event about one card, with the card as it is after the change."""

    card: CardSnapshot
    occurred_at: datetime

    @property
    def subject(self) -> str:
        """``card/{card_id}``."""
        return f"card/{self.card.card_id}"


class HouseholdEvent(EventData):
    """An event about a household and its members."""

    household_id: str
    occurred_at: datetime

    @property
    def subject(self) -> str:
        """``household/{household_id}``."""
        return f"household/{self.household_id}"
