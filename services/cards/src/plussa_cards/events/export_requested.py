"""Our copy of `fi.plussa.identity.export.requested`: what we read of it."""

from typing import ClassVar

from plussa_shared.events import ConsumedEventData


class ExportRequested(ConsumedEventData):
    """A person asked for a copy of their data."""

    event_type: ClassVar[str] = "fi.plussa.identity.export.requested"
    request_id: str
    person_id: str
