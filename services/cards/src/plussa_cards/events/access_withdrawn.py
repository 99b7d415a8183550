"""`fi.plussa.cards.access.withdrawn`."""

from typing import ClassVar, Literal

from plussa_cards.events.base import HouseholdEvent


class AccessWithdrawn(HouseholdEvent):
    """The main holder withdrew a parallel holder's right to see and use the Plussa money."""

    event_type: ClassVar[str] = "fi.plussa.cards.access.withdrawn"
    person_id: str
    can_use_money: Literal[False] = False
