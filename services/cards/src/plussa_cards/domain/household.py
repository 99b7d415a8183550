"""A household: one Plussa account, its main holder and at most a configured number of parallel holders."""

from dataclasses import dataclass
from datetime import datetime

from plussa_cards.domain.errors import MemberNotFoundError, NotAParallelHolderError, ParallelHolderLimitError
from plussa_cards.domain.member import Member, Role
from plussa_cards.domain.recorder import CardsAggregate
from plussa_cards.events.access_granted import AccessGranted
from plussa_cards.events.access_withdrawn import AccessWithdrawn
from plussa_cards.events.base import HouseholdEvent
from plussa_cards.events.household_created import HouseholdCreated
from plussa_cards.events.member_added import MemberAdded
from plussa_cards.events.member_removed import MemberRemoved


@dataclass
class Household(CardsAggregate):
    """The household aggregate. ``version`` grows on every change to its membership, so two
    concurrent orders for the last free parallel slot cannot both be saved."""

    household_id: str
    main_person_id: str
    parallel_person_ids: list[str]
    created_at: datetime
    version: int = 1

    @classmethod
    def create(cls, household_id: str, main: Member, now: datetime) -> "Household":
        """A new household with ``main`` as its main holder."""
        if main.role is not Role.MAIN or main.household_id != household_id:
            raise ValueError("a household is created with its own main holder")
        household = cls(
            household_id=household_id, main_person_id=main.person_id, parallel_person_ids=[], created_at=now
        )
        household._happened(HouseholdCreated(household_id=household_id, main_person_id=main.person_id, occurred_at=now))
        household._happened(_member_added(main, now))
        return household

    def add_parallel_holder(self, member: Member, max_parallel_holders: int, now: datetime) -> None:
        """Add ``member`` as a parallel holder, unless the household is full."""
        if member.role is not Role.PARALLEL or member.household_id != self.household_id:
            raise ValueError("a parallel holder of this household is expected")
        if len(self.parallel_person_ids) >= max_parallel_holders:
            raise ParallelHolderLimitError(
                f"A household has at most {max_parallel_holders} parallel holders", limit=max_parallel_holders
            )
        self.parallel_person_ids.append(member.person_id)
        self.version += 1
        self._happened(_member_added(member, now))

    def remove_parallel_holder(self, member: Member, now: datetime) -> None:
        """``member`` leaves the household (the caller closes their cards)."""
        self._require_parallel(member)
        self.parallel_person_ids.remove(member.person_id)
        member.leave()
        self.version += 1
        self._happened(MemberRemoved(household_id=self.household_id, person_id=member.person_id, occurred_at=now))

    def set_money_access(self, member: Member, allowed: bool, now: datetime) -> bool:
        """Grant or withdraw a parallel holder's right to see and use the Plussa money; whether it changed."""
        self._require_parallel(member)
        if member.can_use_money == allowed:
            return False
        member.can_use_money = allowed
        self.version += 1
        event: HouseholdEvent
        if allowed:
            event = AccessGranted(household_id=self.household_id, person_id=member.person_id, occurred_at=now)
        else:
            event = AccessWithdrawn(household_id=self.household_id, person_id=member.person_id, occurred_at=now)
        self._happened(event)
        return True

    def _require_parallel(self, member: Member) -> None:
        if member.household_id != self.household_id or not member.is_active:
            raise MemberNotFoundError()
        if member.person_id == self.main_person_id:
            raise NotAParallelHolderError("The main holder always has every right")


def _member_added(member: Member, now: datetime) -> MemberAdded:
    if member.date_of_birth is None:
        raise ValueError("a new member has a date of birth")
    return MemberAdded(
        household_id=member.household_id,
        person_id=member.person_id,
        role=member.role.value,
        first_name=member.first_name,
        last_name=member.last_name,
        date_of_birth=member.date_of_birth,
        email=member.email,
        language=member.language,
        can_use_money=member.may_use_money,
        occurred_at=now,
    )
