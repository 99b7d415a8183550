"""`fi.plussa.cards.member.added`: A person joined a household as its main holder or a parallel holder."""

from datetime import date
from typing import ClassVar, Literal

from plussa_cards.events.base import HouseholdEvent


class MemberAdded(HouseholdEvent):
    """A person joined a household as its main holder or a parallel holder."""

    event_type: ClassVar[str] = "fi.plussa.cards.member.added"
    person_id: str
    role: Literal["main", "parallel"]
    first_name: str
    last_name: str
    date_of_birth: date
    email: str | None
    language: Literal["fi", "sv", "en"]
    can_use_money: bool
