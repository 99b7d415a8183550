"""What the notifications service tells the others, on the internal exchange only.

No event carries an e-mail address, a name or a link: ids, kinds and reasons.
"""

from datetime import datetime
from typing import Any, ClassVar, Literal

from plussa_shared.events import EventData


class PreferenceChanged(EventData):
    """A person gave or withdrew consent to hear from a chain or partner."""

    event_type: ClassVar[str] = "fi.plussa.notifications.preference.changed"
    person_id: str
    chain_id: str
    consented: bool
    source: Literal["portal", "unsubscribe_link", "customer_service"]
    wording_version: str
    occurred_at: datetime


class MessageSent(EventData):
    """The mail server accepted a message for the person."""

    event_type: ClassVar[str] = "fi.plussa.notifications.message.sent"
    message_id: str
    person_id: str
    kind: str
    trigger_id: str
    chain_id: str | None
    occurred_at: datetime


class MessageFailed(EventData):
    """A message will not be sent; ``reason`` says why (no verified address, consent
    withdrawn, the mail server's permanent refusal, retries used up)."""

    event_type: ClassVar[str] = "fi.plussa.notifications.message.failed"
    message_id: str
    person_id: str
    kind: str
    trigger_id: str
    chain_id: str | None
    reason: str
    occurred_at: datetime


class ExportCompleted(EventData):
    """Everything the notifications service holds about one person, for their data export
    (to identity alone, on its private exchange: it carries personal data)."""

    event_type: ClassVar[str] = "fi.plussa.notifications.export.completed"
    recipient: ClassVar[str | None] = "identity"
    request_id: str
    person_id: str
    service: Literal["notifications"] = "notifications"
    data: dict[str, Any]


class ErasureCompleted(EventData):
    """The notifications service erased what it held about the person."""

    event_type: ClassVar[str] = "fi.plussa.notifications.erasure.completed"
    request_id: str
    person_id: str
    service: Literal["notifications"] = "notifications"
    occurred_at: datetime
