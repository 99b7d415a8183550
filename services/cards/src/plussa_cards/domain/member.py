"""A person in a household: the main holder or a parallel holder, and their personal details."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

Language = Literal["fi", "sv", "en"]
ADULT_AGE = 18
"""Who may be a household's main holder (the programme's rule for holding the account)."""


class Role(StrEnum):
    """A member's role in their household."""

    MAIN = "main"
    PARALLEL = "parallel"


class MemberStatus(StrEnum):
    """Whether the person is still in the household."""

    ACTIVE = "active"
    REMOVED = "removed"
    ERASED = "erased"


@dataclass(frozen=True)
class Address:
    """A postal address, for sending cards."""

    street: str
    postal_code: str
    city: str
    country: str = "FI"


@dataclass(frozen=True)
class PersonDetails:
    """Who a new member is, as they or the main holder told us."""

    first_name: str
    last_name: str
    date_of_birth: date
    email: str | None = None
    language: Language = "fi"
    address: Address | None = None


@dataclass
class Member:
    """One person. Only the main holder has an e-mail and address; anyone may have a language."""

    person_id: str
    household_id: str
    role: Role
    first_name: str
    last_name: str
    date_of_birth: date | None
    email: str | None
    language: Language
    address: Address | None
    can_use_money: bool
    joined_at: datetime
    status: MemberStatus = MemberStatus.ACTIVE
    has_online_account: bool = False
    """Whether the person registered in Oma Plussa (learnt from identity's events)."""

    @classmethod
    def join(
        cls,
        *,
        person_id: str,
        household_id: str,
        role: Role,
        details: PersonDetails,
        can_use_money: bool,
        now: datetime,
    ) -> "Member":
        """A person joining ``household_id`` in ``role``."""
        return cls(
            person_id=person_id,
            household_id=household_id,
            role=role,
            first_name=details.first_name,
            last_name=details.last_name,
            date_of_birth=details.date_of_birth,
            email=details.email,
            language=details.language,
            address=details.address,
            can_use_money=can_use_money,
            joined_at=now,
        )

    @property
    def is_active(self) -> bool:
        """Still a member of the household."""
        return self.status is MemberStatus.ACTIVE

    @property
    def is_main(self) -> bool:
        """The household's main holder."""
        return self.role is Role.MAIN

    @property
    def may_use_money(self) -> bool:
        """May see and spend the household's Plussa money: the main holder, or an authorised parallel holder."""
        return self.is_active and (self.is_main or self.can_use_money)

    @property
    def identity_key(self) -> str | None:
        """What makes two applications the same person (see ``person_identity_key``); none once gone."""
        if not self.is_active or self.date_of_birth is None:
            return None
        return person_identity_key(self.first_name, self.last_name, self.date_of_birth)

    @property
    def email_key(self) -> str | None:
        """The e-mail as compared for uniqueness; none once gone."""
        return normalise_email(self.email) if self.is_active and self.email else None

    def is_adult(self, today: date) -> bool:
        """18 or older on ``today`` (a person born on 29 February comes of age on 1 March)."""
        born = self.date_of_birth
        if born is None:
            return False
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        return age >= ADULT_AGE

    def leave(self) -> None:
        """The person is no longer in the household; they may join again elsewhere."""
        self.status = MemberStatus.REMOVED

    def erase(self) -> None:
        """Forget who the person was; ids stay so the account's history still adds up."""
        self.first_name = ""
        self.last_name = ""
        self.date_of_birth = None
        self.email = None
        self.address = None
        self.can_use_money = False
        self.has_online_account = False
        self.status = MemberStatus.ERASED


def person_identity_key(first_name: str, last_name: str, date_of_birth: date) -> str:
    """One membership per person: the same person is the same full name and date of birth.

    Names are compared without case, accents written differently, or extra spaces, so
    "Äijälä  Matti" and "äijälä matti" match. No national identity number is collected,
    so two namesakes born on the same day cannot both join on their own; customer
    service resolves that rare case.
    """
    return f"{_normalise_name(first_name)}|{_normalise_name(last_name)}|{date_of_birth.isoformat()}"


def normalise_email(email: str) -> str:
    """E-mail as compared for uniqueness."""
    return email.strip().casefold()


def _normalise_name(name: str) -> str:
    return re.sub(r"[\s\-]+", " ", unicodedata.normalize("NFKC", name)).strip().casefold()
