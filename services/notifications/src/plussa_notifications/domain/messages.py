"""A message to one person: what triggered it, its kind, and its delivery state.

A message is queued once per triggering event (or campaign) and recipient, then
sent, retried with back-off while the mail server is away or answers 4xx, or
failed with its reason (a 5xx, no verified address, consent withdrawn).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from plussa_notifications.events.published import MessageFailed, MessageSent
from plussa_shared.domain import Aggregate


class MessageKind(StrEnum):
    """What the message says; each kind has its own template."""

    EMAIL_VERIFICATION = "email_verification"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a message kind, not a secret
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a message kind, not a secret
    CARD_ORDERED = "card_ordered"
    CARD_BLOCKED = "card_blocked"
    CARD_REPLACED = "card_replaced"
    PARALLEL_CARD_ORDERED = "parallel_card_ordered"
    MONEY_ACCESS_GRANTED = "money_access_granted"
    MONEY_ACCESS_WITHDRAWN = "money_access_withdrawn"
    MONEY_PAID = "money_paid"
    SAVINGS_RELEASED = "savings_released"
    DONATION_MADE = "donation_made"
    RECEIPT_SAVED = "receipt_saved"
    OFFER = "offer"
    TARGETED_OFFER = "targeted_offer"
    NEWSLETTER = "newsletter"

    @property
    def is_marketing(self) -> bool:
        """Marketing goes only with consent; service messages always go."""
        return self in (MessageKind.OFFER, MessageKind.TARGETED_OFFER, MessageKind.NEWSLETTER)


class MessageStatus(StrEnum):
    """Where the message is on its way."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class FailureReason(StrEnum):
    """Why a message was not sent, besides the mail server's own answer."""

    NO_VERIFIED_EMAIL = "no-verified-email"
    CONSENT_WITHDRAWN = "consent-withdrawn"
    REFUSED = "refused"
    NOT_RENDERED = "not-rendered"
    RETRIES_EXHAUSTED = "retries-exhausted"


@dataclass
class Message(Aggregate):
    """One e-mail to one person."""

    message_id: str
    person_id: str
    kind: MessageKind
    trigger_id: str
    """The event id or campaign id that caused it; with the person, unique."""
    language: str
    data: dict[str, Any]
    created_at: datetime
    chain_id: str | None = None
    to: str | None = None
    status: MessageStatus = MessageStatus.QUEUED
    attempts: int = 0
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    failed_at: datetime | None = None
    reason: str | None = None
    trace: dict[str, str] = field(default_factory=dict)
    """The W3C trace context (``traceparent``, ``tracestate``) of the work that queued it, so
    it is sent in that trace; empty when it was queued outside any."""

    def __post_init__(self) -> None:
        if self.next_attempt_at is None and self.status is MessageStatus.QUEUED:
            self.next_attempt_at = self.created_at

    def mark_sent(self, at: datetime) -> None:
        """The mail server accepted it."""
        self.attempts += 1
        self.status = MessageStatus.SENT
        self.sent_at = at
        self.next_attempt_at = None
        self.reason = None
        self.record(MessageSent(**self._facts(at)), self.subject, at)

    def mark_failed(self, reason: str, at: datetime) -> None:
        """It will never go: refused for good, or nothing to send it to."""
        self.status = MessageStatus.FAILED
        self.failed_at = at
        self.next_attempt_at = None
        self.reason = reason[:300]
        self.record(MessageFailed(**self._facts(at), reason=self.reason), self.subject, at)

    @property
    def subject(self) -> str:
        """The events' subject: the person."""
        return f"person/{self.person_id}"

    def _facts(self, at: datetime) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "person_id": self.person_id,
            "kind": self.kind.value,
            "trigger_id": self.trigger_id,
            "chain_id": self.chain_id,
            "occurred_at": at,
        }

    def retry_later(self, reason: str, at: datetime, policy: "RetryPolicy") -> None:
        """The server was away or said "try later": wait, then try again, until the policy gives up."""
        self.attempts += 1
        self.reason = reason[:300]
        wait = policy.delay(self.attempts)
        if wait is None:
            self.mark_failed(f"{FailureReason.RETRIES_EXHAUSTED}: {reason}", at)
            return
        self.next_attempt_at = at + wait


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off between attempts, capped, for at most ``max_attempts`` attempts."""

    first: timedelta = timedelta(seconds=5)
    factor: float = 2.0
    cap: timedelta = timedelta(minutes=15)
    max_attempts: int = 50

    def delay(self, attempts: int) -> timedelta | None:
        """How long to wait after ``attempts`` failed attempts; None once they are used up."""
        if attempts >= self.max_attempts:
            return None
        seconds = self.first.total_seconds() * self.factor ** max(attempts - 1, 0)
        return min(timedelta(seconds=seconds), self.cap)


def recipient_address(kind: MessageKind, verified_email: str | None, event_email: str | None) -> str | None:
    """Where the message goes. Verification and reset mails go to the address in the
    request itself (it is being proved, or it is the login); every other message only to
    a verified address."""
    if kind in (MessageKind.EMAIL_VERIFICATION, MessageKind.PASSWORD_RESET):
        return event_email
    return verified_email
