"""Events of data export and erasure requests, as in docs/event-contract.md."""

from datetime import datetime
from typing import Any, ClassVar

from plussa_shared.events import ConsumedEventData, EventData


class ExportRequested(EventData):
    """Every participant sends what it holds about the person."""

    event_type: ClassVar[str] = "fi.plussa.identity.export.requested"
    request_id: str
    person_id: str
    household_id: str | None
    occurred_at: datetime


class ErasureRequested(EventData):
    """Every participant erases or anonymises what it holds about the person."""

    event_type: ClassVar[str] = "fi.plussa.identity.erasure.requested"
    request_id: str
    person_id: str
    household_id: str | None
    occurred_at: datetime


class ErasureCompleted(EventData):
    """Identity erased the login, the last part of an erasure: every participant has answered."""

    event_type: ClassVar[str] = "fi.plussa.identity.erasure.completed"
    request_id: str
    person_id: str
    service: str
    occurred_at: datetime


class ExportAnswer(ConsumedEventData):
    """Identity's copy of ``fi.plussa.{service}.export.completed``."""

    request_id: str
    person_id: str
    service: str
    data: dict[str, Any]


class ErasureAnswer(ConsumedEventData):
    """Identity's copy of ``fi.plussa.{service}.erasure.completed``."""

    request_id: str
    person_id: str
    service: str
