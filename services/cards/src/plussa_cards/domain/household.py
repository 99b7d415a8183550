"""A household: one Plussa account, its main holder and at most a configured number of parallel holders."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from plussa_cards.domain.card import Card
from plussa_cards.domain.errors import (
    MainHolderOnlyError,
    MemberNotFoundError,
    NotAnAdultError,
    NotAParallelHolderError,
    ParallelHolderLimitError,
)
from plussa_cards.domain.member import Member, MemberStatus, Role
from plussa_cards.domain.recorder import CardsAggregate
from plussa_cards.events.access_granted import AccessGranted
from plussa_cards.events.access_withdrawn import AccessWithdrawn
from plussa_cards.events.base import HouseholdEvent
from plussa_cards.events.household_created import HouseholdCreated
from plussa_cards.events.household_handed_over import HouseholdHandedOver
from plussa_cards.events.member_added import MemberAdded
from plussa_cards.events.member_removed import MemberRemoved
from plussa_cards.events.member_renamed import MemberRenamed
from plussa_cards.events.member_role_changed import MemberRoleChanged


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

    def hand_over(self, main: Member, successor: Member, today: date, now: datetime) -> None:
        """``main`` makes the adult parallel holder ``successor`` the main holder.

        Money, savings, charity, statements and cards stay with the household. The former
        main holder stays on as a parallel holder who may still use the money (they had it,
        and the new main holder may withdraw it); the new main holder has every right.
        """
        if main.person_id != self.main_person_id or not main.is_active:
            raise MainHolderOnlyError()
        self._require_parallel(successor)
        if not successor.is_adult(today):
            raise NotAnAdultError("Only an adult (18 or older) can become the main holder")
        self.parallel_person_ids.remove(successor.person_id)
        self.parallel_person_ids.append(main.person_id)
        self.main_person_id = successor.person_id
        successor.role = Role.MAIN
        main.role = Role.PARALLEL
        main.can_use_money = True
        self.version += 1
        self._happened(
            HouseholdHandedOver(
                household_id=self.household_id,
                previous_main_person_id=main.person_id,
                main_person_id=successor.person_id,
                occurred_at=now,
            )
        )
        for member in (successor, main):
            self._happened(
                MemberRoleChanged(
                    household_id=self.household_id,
                    person_id=member.person_id,
                    role=member.role.value,
                    can_use_money=member.may_use_money,
                    occurred_at=now,
                )
            )

    def rename_member(self, member: Member, first_name: str, last_name: str, now: datetime) -> bool:
        """A member's new name; whether it changed (the same name changes and publishes nothing)."""
        if member.household_id != self.household_id or not member.is_active:
            raise MemberNotFoundError()
        if (member.first_name, member.last_name) == (first_name, last_name):
            return False
        member.first_name = first_name
        member.last_name = last_name
        self.version += 1
        self._happened(
            MemberRenamed(
                household_id=self.household_id,
                person_id=member.person_id,
                first_name=first_name,
                last_name=last_name,
                occurred_at=now,
            )
        )
        return True

    def split_off(self, member: Member, new_household_id: str, now: datetime) -> "Household":
        """A parallel holder leaves to become the main holder of a household of their own
        (the household is being closed); the caller moves their cards."""
        self.remove_parallel_holder(member, now)
        member.household_id = new_household_id
        member.role = Role.MAIN
        member.status = MemberStatus.ACTIVE
        member.can_use_money = True
        return Household.create(new_household_id, member, now)

    def set_online_account(self, member: Member, has_account: bool) -> bool:
        """Note whether ``member`` has an online account (the household view shows it); whether it changed."""
        if member.household_id != self.household_id or member.has_online_account == has_account:
            return False
        member.has_online_account = has_account
        self.version += 1
        return True

    @property
    def has_parallel_holders(self) -> bool:
        """Whether anyone but the main holder is in the household."""
        return bool(self.parallel_person_ids)

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


def household_version(household: Household, cards: Iterable[Card]) -> int:
    """The version of the household as its members see it (its ``ETag``).

    It grows on every change to the membership, a member's name or rights, and any of the
    household's cards: the household's own version plus every card's, each of which only grows.
    """
    return household.version + sum(card.version for card in cards if card.household_id == household.household_id)
