"""Our copy of `fi.plussa.identity.erasure.requested`: what we read of it."""

from typing import ClassVar

from plussa_shared.events import ConsumedEventData


class ErasureRequested(ConsumedEventData):
    """A person asked for their data to be erased."""

    event_type: ClassVar[str] = "fi.plussa.identity.erasure.requested"
    request_id: str
    person_id: str
