"""`fi.plussa.cards.member.role_changed`: a member's role in their household changed."""

from typing import ClassVar, Literal

from plussa_cards.events.base import HouseholdEvent


class MemberRoleChanged(HouseholdEvent):
    """A member became the main holder or a parallel holder, with their right to the Plussa money after it."""

    event_type: ClassVar[str] = "fi.plussa.cards.member.role_changed"
    person_id: str
    role: Literal["main", "parallel"]
    can_use_money: bool
