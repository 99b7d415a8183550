"""`fi.plussa.cards.household.handed_over`: the main holder made a parallel holder the household's main holder."""

from typing import ClassVar

from plussa_cards.events.base import HouseholdEvent


class HouseholdHandedOver(HouseholdEvent):
    """The household (its money, savings, charity, statements and cards) now has another main holder.

    The members' new roles and money access follow as ``member.role_changed``, one per member.
    """

    event_type: ClassVar[str] = "fi.plussa.cards.household.handed_over"
    previous_main_person_id: str
    main_person_id: str
