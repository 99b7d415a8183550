"""`fi.plussa.cards.member.removed`: A parallel holder left the household; their cards are closed."""

from typing import ClassVar

from plussa_cards.events.base import HouseholdEvent


class MemberRemoved(HouseholdEvent):
    """A parallel holder left the household; their cards are closed."""

    event_type: ClassVar[str] = "fi.plussa.cards.member.removed"
    person_id: str
