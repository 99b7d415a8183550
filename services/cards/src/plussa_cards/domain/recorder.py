"""What the cards service's aggregates share: recording an event about themselves."""

from plussa_cards.events.base import CardEvent, HouseholdEvent
from plussa_shared.domain import Aggregate


class CardsAggregate(Aggregate):
    """An aggregate whose events name their own subject (``card/…``, ``household/…``)."""

    def _happened(self, event: CardEvent | HouseholdEvent) -> None:
        self.record(event, event.subject)
