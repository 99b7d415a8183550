"""Data export and erasure requests across the services, and how far they have got.

Identity starts a request and every expected participant answers it once. An export
is complete when all have answered. An erasure ends with identity itself: it erases
the login last, once every other service has answered, so the person can follow the
progress until then. A participant may refuse an erasure (cards, when it would leave a
household without a manager): the request ends refused, and the login is kept.
"""

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from plussa_identity.domain.errors import HandOverFirstError
from plussa_identity.domain.members import MemberView

Kind = Literal["export", "erasure"]
IDENTITY = "identity"


def receipt_key(person_id: str) -> str:
    """What an erased person's requests keep of their id: a one-way digest. The receipt shows
    that, when and by whom each erasure was done (accountability) without naming the person;
    whoever still knows the id can find its receipt, nobody can read the id back from it."""
    return "sha256:" + hashlib.sha256(person_id.encode()).hexdigest()


@dataclass(frozen=True)
class Answer:
    """One participant's answer."""

    service: str
    answered_at: datetime
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class Refusal:
    """A participant did not erase, and why (a stable slug such as ``hand-over-first``)."""

    service: str
    reason: str
    refused_at: datetime


@dataclass(frozen=True)
class PrivacyRequest:
    """An export or erasure request of one person."""

    request_id: str
    kind: Kind
    person_id: str
    household_id: str | None
    requested_at: datetime
    participants: tuple[str, ...]
    answers: dict[str, Answer] = field(default_factory=dict)
    completed_at: datetime | None = None
    close_household: bool = False
    refusal: Refusal | None = None
    household_alone: bool = False
    """Erasure: no other member stays in the person's household (it was theirs alone, or its
    parallel holders move to households of their own), so kept records stop naming it too."""

    def of(self, person_id: str) -> bool:
        """Whether the request is the person's (a receipt of an erasure holds the id's digest)."""
        return self.person_id in (person_id, receipt_key(person_id))

    def receipt(self) -> "PrivacyRequest":
        """What is kept once the person is erased: the request without their id or household."""
        return replace(self, person_id=receipt_key(self.person_id), household_id=None)

    @property
    def pending(self) -> list[str]:
        """Participants that have not answered yet."""
        return [p for p in self.participants if p not in self.answers]

    @property
    def others_done(self) -> bool:
        """Whether every participant but identity has answered (a refused request never is done)."""
        return self.refusal is None and all(p == IDENTITY or p in self.answers for p in self.participants)

    def answered(self, service: str, now: datetime, data: dict[str, Any] | None = None) -> "PrivacyRequest":
        """The request after ``service`` answered; a repeated answer changes nothing."""
        if service not in self.participants:
            raise ValueError(f"{service} is not a participant of this request")
        if service in self.answers:
            return self
        answers = {**self.answers, service: Answer(service, now, data)}
        done = self.refusal is None and all(p in answers for p in self.participants)
        return replace(self, answers=answers, completed_at=now if done else None)

    def refused(self, service: str, reason: str, now: datetime) -> "PrivacyRequest":
        """The request after ``service`` refused it: it never completes. The first refusal is kept."""
        if service not in self.participants:
            raise ValueError(f"{service} is not a participant of this request")
        if self.refusal is not None or self.completed_at is not None:
            return self
        return replace(self, refusal=Refusal(service, reason, now))

    @property
    def status(self) -> Literal["pending", "completed", "refused"]:
        """Where the request stands."""
        if self.refusal is not None:
            return "refused"
        return "completed" if self.completed_at else "pending"

    def export_document(self) -> dict[str, Any]:
        """Everything the services returned, per service, once the export is complete."""
        return {service: self.answers[service].data or {} for service in self.participants if service in self.answers}


def require_erasable(member: MemberView | None, other_members: int, *, close_household: bool) -> None:
    """Refuse, before anyone erases anything, the erasure of a main holder who still has
    parallel holders: the household would be left without a manager. They hand it over
    first, or ask for the household to be closed (its parallel holders get households of
    their own)."""
    if close_household or member is None or not member.is_member or member.role != "main":
        return
    if other_members > 0:
        raise HandOverFirstError(
            f"The household still has {other_members} parallel holder(s) and would be left without "
            "a manager. Hand it over to an adult parallel holder first, or ask again with "
            "close_household: true to give each parallel holder a household of their own.",
            parallel_holders=other_members,
        )
