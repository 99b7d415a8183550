"""`fi.plussa.cards.household.created`: A household (one Plussa account) was created with its main holder."""

from typing import ClassVar

from plussa_cards.events.base import HouseholdEvent


class HouseholdCreated(HouseholdEvent):
    """A household (one Plussa account) was created with its main holder."""

    event_type: ClassVar[str] = "fi.plussa.cards.household.created"
    main_person_id: str
