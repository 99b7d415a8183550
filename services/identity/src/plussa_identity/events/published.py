"""The events identity publishes, as in docs/event-contract.md: a person's login and
profile, and the data export and erasure requests it coordinates."""

from datetime import datetime
from typing import Any, ClassVar

from plussa_shared.events import EventData


class CustomerRegistered(EventData):
    """A person created their login."""

    event_type: ClassVar[str] = "fi.plussa.identity.customer.registered"
    person_id: str
    household_id: str
    email: str
    language: str
    occurred_at: datetime


class EmailVerificationRequested(EventData):
    """Send the person a link that proves they read this address (notifications delivers it)."""

    event_type: ClassVar[str] = "fi.plussa.identity.email_verification.requested"
    recipient: ClassVar[str | None] = "notifications"
    person_id: str
    email: str
    language: str
    token: str
    expires_at: datetime


class EmailVerified(EventData):
    """The person proved the address is theirs; it is now their login and contact address."""

    event_type: ClassVar[str] = "fi.plussa.identity.email.verified"
    person_id: str
    email: str
    occurred_at: datetime


class PasswordResetRequested(EventData):
    """Send the person a password reset link (notifications delivers it)."""

    event_type: ClassVar[str] = "fi.plussa.identity.password_reset.requested"
    recipient: ClassVar[str | None] = "notifications"
    person_id: str
    email: str
    language: str
    token: str
    expires_at: datetime


class PasswordChanged(EventData):
    """The password was changed or reset (notifications tells the person)."""

    event_type: ClassVar[str] = "fi.plussa.identity.password.changed"
    person_id: str
    occurred_at: datetime


class ProfileUpdated(EventData):
    """Profile fields changed; ``changed`` names them, the rest is the whole profile after."""

    event_type: ClassVar[str] = "fi.plussa.identity.profile.updated"
    person_id: str
    changed: list[str]
    first_name: str | None
    last_name: str | None
    email: str
    phone: str | None
    language: str
    postal_address: dict[str, Any] | None
    occurred_at: datetime


class ExportRequested(EventData):
    """Every participant sends what it holds about the person."""

    event_type: ClassVar[str] = "fi.plussa.identity.export.requested"
    request_id: str
    person_id: str
    household_id: str | None
    occurred_at: datetime


class ErasureRequested(EventData):
    """Every participant erases or anonymises what it holds about the person.

    ``close_household``: a main holder who still has parallel holders asks for the household
    to be closed; cards first gives each parallel holder a household of their own."""

    event_type: ClassVar[str] = "fi.plussa.identity.erasure.requested"
    request_id: str
    person_id: str
    household_id: str | None
    close_household: bool = False
    household_alone: bool = False
    """No other member stays in the household: what is kept of it stops naming it."""
    occurred_at: datetime


class ErasureCompleted(EventData):
    """Identity erased the login, the last part of an erasure: every participant has answered."""

    event_type: ClassVar[str] = "fi.plussa.identity.erasure.completed"
    request_id: str
    person_id: str
    service: str
    occurred_at: datetime


class SessionEnded(EventData):
    """A session ended (logout, ended from the list, password change, a reused refresh
    token, a lock, an erasure): every service refuses its access tokens from now on."""

    event_type: ClassVar[str] = "fi.plussa.identity.session.ended"
    session_id: str
    person_id: str
    reason: str
    expires_at: datetime
    """When the last access token issued in the session expires; until then services keep the revocation."""
    occurred_at: datetime
