"""What every service's domain layer builds on: error kinds, domain errors, aggregates.

Pure: the standard library and pydantic only, so a ``domain`` package may import it
without reaching any I/O library. The edges decide what a kind means: the problem
middleware maps it to an HTTP status (``plussa_shared.http``), the consumer's settling
to retry or dead-letter (``plussa_shared.settling``).
"""

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel


class ErrorKind(StrEnum):
    """What kind of rule a ``DomainError`` broke; its edges map it (HTTP, consumer)."""

    NOT_FOUND = "not-found"
    """404; the consumer dead-letters at once."""
    CONFLICT = "conflict"
    """409; dead-letter."""
    INVALID = "invalid"
    """422; dead-letter."""
    FORBIDDEN = "forbidden"
    """403; dead-letter."""
    NOT_KNOWN_YET = "not-known-yet"
    """409 over HTTP; the consumer retries with back-off, then dead-letters."""
    UNAUTHENTICATED = "unauthenticated"
    """401: only "who are you?" (bad credentials or tokens)."""
    THROTTLED = "throttled"
    """429; ``extras["retry_after"]`` becomes the Retry-After header."""
    STALE = "stale"
    """412: an If-Match or expected version is no longer current."""
    UNAVAILABLE = "unavailable"
    """503; the consumer retries."""


class DomainError(Exception):
    """A broken rule. Subclasses set ``kind``, ``slug`` (the stable problem type) and ``title``.

    ``detail`` is the human text of this occurrence; ``extras`` become extension
    members of the problem document (never personal data). ``slug=`` overrides the
    class's slug for one occurrence; the slug in force is ``problem_slug``.
    """

    kind: ClassVar[ErrorKind] = ErrorKind.INVALID
    slug: ClassVar[str] = "invalid"
    title: ClassVar[str] = "The request breaks a rule"

    def __init__(self, detail: str | None = None, *, slug: str | None = None, **extras: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.problem_slug = slug or self.slug
        self.extras = extras


class DuplicateError(DomainError):
    """A write clashed with a unique index twice in a row: the thing already exists."""

    kind = ErrorKind.CONFLICT
    slug = "duplicate"
    title = "It already exists"


_sequence = itertools.count()


@dataclass(frozen=True)
class RecordedEvent:
    """An event an aggregate (or a use case) recorded, not yet in an envelope.

    ``order`` is a process-wide counter, so the unit of work writes events in the
    order they happened even when several aggregates recorded them.
    """

    data: BaseModel
    subject: str | None
    at: datetime | None = None
    order: int = field(default_factory=lambda: next(_sequence))


class Aggregate:
    """Records the events its changes cause; the unit of work collects them on commit.

    A mixin for plain classes and dataclasses alike (it needs no ``__init__`` call);
    a ``slots`` dataclass must declare a ``_recorded_events`` slot.
    """

    def record(self, data: BaseModel, subject: str, at: datetime | None = None) -> None:
        """Remember that ``data`` happened to ``subject`` (``card/{id}``, ``household/{id}``)."""
        self._pending().append(RecordedEvent(data, subject, at))

    def pull_events(self) -> list[RecordedEvent]:
        """The events recorded since the last pull, oldest first; clears them."""
        pending = self._pending()
        events = list(pending)
        pending.clear()
        return events

    @property
    def recorded_events(self) -> list[RecordedEvent]:
        """The events recorded and not yet pulled (for tests and assertions)."""
        return list(self._pending())

    def _pending(self) -> list[RecordedEvent]:
        pending: list[RecordedEvent] | None = getattr(self, "_recorded_events", None)
        if pending is None:
            pending = []
            # object.__setattr__ so frozen dataclasses can record too.
            object.__setattr__(self, "_recorded_events", pending)
        return pending
