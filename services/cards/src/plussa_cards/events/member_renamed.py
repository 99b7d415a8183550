"""`fi.plussa.cards.member.renamed`: a member's name changed (cards owns a person's name)."""

from typing import ClassVar

from plussa_cards.events.base import HouseholdEvent


class MemberRenamed(HouseholdEvent):
    """A member changed their name, or the main holder corrected a parallel holder's. Internal audience only."""

    event_type: ClassVar[str] = "fi.plussa.cards.member.renamed"
    person_id: str
    first_name: str
    last_name: str
