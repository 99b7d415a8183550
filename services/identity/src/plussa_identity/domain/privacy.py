"""Data export and erasure requests across the services, and how far they have got.

Identity starts a request and every expected participant answers it once. An export
is complete when all have answered. An erasure ends with identity itself: it erases
the login last, once every other service has answered, so the person can follow the
progress until then.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

Kind = Literal["export", "erasure"]
IDENTITY = "identity"


@dataclass(frozen=True)
class Answer:
    """One participant's answer."""

    service: str
    answered_at: datetime
    data: dict[str, Any] | None = None


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

    @property
    def pending(self) -> list[str]:
        """Participants that have not answered yet."""
        return [p for p in self.participants if p not in self.answers]

    @property
    def others_done(self) -> bool:
        """Whether every participant but identity has answered."""
        return all(p == IDENTITY or p in self.answers for p in self.participants)

    def answered(self, service: str, now: datetime, data: dict[str, Any] | None = None) -> "PrivacyRequest":
        """The request after ``service`` answered; a repeated answer changes nothing."""
        if service not in self.participants:
            raise ValueError(f"{service} is not a participant of this request")
        if service in self.answers:
            return self
        answers = {**self.answers, service: Answer(service, now, data)}
        done = all(p in answers for p in self.participants)
        return replace(self, answers=answers, completed_at=now if done else None)

    def export_document(self) -> dict[str, Any]:
        """Everything the services returned, per service, once the export is complete."""
        return {service: self.answers[service].data or {} for service in self.participants if service in self.answers}
