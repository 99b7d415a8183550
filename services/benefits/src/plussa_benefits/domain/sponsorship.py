"""Merchant sponsorship: a store supports local causes with a share of its members' purchases.

A person joins one cause per store and may switch or leave; their purchases in that
store accrue the share of eligible spend to the cause they had joined at the time of
the purchase, from the join onwards. Each purchase's share is rounded down to a cent.
A month's totals per cause are closed once, after the month; an accrual arriving for a
closed month counts in the month it arrived in.
"""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from plussa_benefits.domain.calendar import month_of, shift_month
from plussa_benefits.domain.errors import (
    InvalidProgrammeError,
    MonthClosedError,
    MonthNotEndedError,
    NoSponsorshipError,
    NotJoinedError,
    UnknownCauseError,
)
from plussa_benefits.domain.purchases import Purchase, eligible_cents
from plussa_benefits.domain.texts import Texts

DEFAULT_SHARE_BASIS_POINTS = 100
MAX_SHARE_BASIS_POINTS = 2_000
MAX_CAUSES = 20


@dataclass(frozen=True)
class Cause:
    """A local cause a store supports."""

    cause_id: str
    name: Texts


@dataclass
class Programme:
    """A store's sponsorship programme."""

    store_id: str
    causes: tuple[Cause, ...]
    share_basis_points: int = DEFAULT_SHARE_BASIS_POINTS
    active: bool = True
    version: int = 1

    def check(self) -> None:
        """Refuse a programme without causes, with repeated causes or a share out of bounds."""
        ids = [cause.cause_id for cause in self.causes]
        if not 1 <= len(ids) <= MAX_CAUSES:
            raise InvalidProgrammeError(f"A programme has 1 to {MAX_CAUSES} causes", pointer="/causes")
        if len(set(ids)) != len(ids):
            raise InvalidProgrammeError("A cause appears twice", pointer="/causes")
        if not 1 <= self.share_basis_points <= MAX_SHARE_BASIS_POINTS:
            raise InvalidProgrammeError(
                f"The share must be between 1 and {MAX_SHARE_BASIS_POINTS} basis points", pointer="/share_basis_points"
            )

    def cause(self, cause_id: str) -> Cause:
        """The cause with this id; ``UnknownCauseError`` otherwise."""
        for cause in self.causes:
            if cause.cause_id == cause_id:
                return cause
        raise UnknownCauseError("The store's programme has no such cause", cause_id=cause_id)

    def share_of(self, purchase: Purchase, excluded: frozenset[str]) -> int:
        """The cents a purchase gives: the share of its eligible spend, rounded down."""
        return eligible_cents(purchase.lines, excluded) * self.share_basis_points // 10_000


def require_programme(programme: Programme | None) -> Programme:
    """The programme, when the store runs one now."""
    if programme is None or not programme.active:
        raise NoSponsorshipError("The store runs no sponsorship programme")
    return programme


@dataclass
class Membership:
    """A person's choice of cause in one store; ``cause_id`` None once they left."""

    person_id: str
    store_id: str
    cause_id: str | None
    joined_at: datetime
    version: int = 1

    @classmethod
    def join(cls, programme: Programme, person_id: str, cause_id: str, now: datetime) -> "Membership":
        """Join a cause of the store's programme from now on."""
        programme.cause(cause_id)
        return cls(person_id, programme.store_id, cause_id, now)

    def switch(self, programme: Programme, cause_id: str, now: datetime) -> str | None:
        """Support another cause from now on (or rejoin after leaving); the cause left, if any."""
        programme.cause(cause_id)
        previous = self.cause_id
        self.cause_id = cause_id
        self.joined_at = now
        self.version += 1
        return previous

    def leave(self) -> str:
        """Stop supporting; the cause left."""
        if self.cause_id is None:
            raise NotJoinedError("Not a member of the store's programme")
        previous = self.cause_id
        self.cause_id = None
        self.version += 1
        return previous


@dataclass(frozen=True)
class Accrual:
    """A purchase's share, given to a cause in a month."""

    store_id: str
    cause_id: str
    person_id: str
    purchase_id: str
    month: str
    eligible_cents: int
    cents: int


def accrue(
    programme: Programme | None,
    membership: Membership | None,
    purchase: Purchase,
    closed_months: set[str],
    now: datetime,
    zone: ZoneInfo,
    excluded: frozenset[str],
) -> Accrual | None:
    """The share ``purchase`` gives to the person's cause in that store, if any."""
    if programme is None or not programme.active or membership is None or membership.cause_id is None:
        return None
    if purchase.occurred_at < membership.joined_at or purchase.store_id != programme.store_id:
        return None
    cents = programme.share_of(purchase, excluded)
    if cents <= 0:
        return None
    month = month_of(purchase.occurred_at, zone)
    if month in closed_months:
        month = month_of(now, zone)
    return Accrual(
        programme.store_id,
        membership.cause_id,
        purchase.person_id,
        purchase.purchase_id,
        month,
        eligible_cents(purchase.lines, excluded),
        cents,
    )


@dataclass
class MonthTotals:
    """A store's totals per cause in one month."""

    store_id: str
    month: str
    totals: dict[str, int] = field(default_factory=dict)
    closed_at: datetime | None = None

    def close(self, now: datetime, zone: ZoneInfo) -> None:
        """Close the month once it has ended; refused when already closed."""
        if self.closed_at is not None:
            raise MonthClosedError("The month's totals are already closed", month=self.month)
        if month_of(now, zone) <= self.month:
            raise MonthNotEndedError("The month has not ended yet", month=self.month)
        self.closed_at = now


def previous_month(now: datetime, zone: ZoneInfo) -> str:
    """The month before the one ``now`` falls in: the one usually closed."""
    return shift_month(month_of(now, zone), -1)
