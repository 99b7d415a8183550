"""`fi.plussa.cards.access.granted`: The main holder let a parallel holder see and use the Plussa money."""

from typing import ClassVar, Literal

from plussa_cards.events.base import HouseholdEvent


class AccessGranted(HouseholdEvent):
    """The main holder let a parallel holder see and use the Plussa money."""

    event_type: ClassVar[str] = "fi.plussa.cards.access.granted"
    person_id: str
    can_use_money: Literal[True] = True
