"""The rules identity's domain and use cases enforce, each a ``DomainError`` with a kind
and a stable type slug clients can rely on. The edges map the kind: to an HTTP status
(three of them answer 400 instead, see ``routes/problems.py``) and to the consumer's
dead-letter decision."""

from plussa_shared.domain import DomainError, ErrorKind


def field_problem(code: str, detail: str, pointer: str) -> dict[str, str]:
    """One item of a problem's ``errors``: the JSON pointer of the refused field in the
    request body, a stable snake_case code and a human detail. The same shape as
    ``plussa_shared.errors.field_error``, which the domain does not import (its errors
    carry kinds, not HTTP problems)."""
    return {"pointer": pointer, "code": code, "detail": detail}


class InvalidCardNumberError(DomainError):
    """Not 16 digits with a valid Luhn check digit."""

    kind = ErrorKind.INVALID
    slug = "invalid-card-number"
    title = "The card number is not valid"


class CardNotRecognisedError(DomainError):
    """No active card with this number whose holder has this date of birth.

    Unknown numbers and wrong dates of birth answer alike, so the answer tells no
    one whether a number exists or whose it is."""

    kind = ErrorKind.INVALID
    slug = "card-not-recognised"
    title = "The card number and date of birth do not match a Plussa card"


class CardNotEligibleError(DomainError):
    """The card is the holder's but cannot be used to register (temporary, blocked, closed...)."""

    kind = ErrorKind.INVALID
    slug = "card-not-eligible"
    title = "Register with an active main or parallel card"


class AlreadyRegisteredError(DomainError):
    """One login per person."""

    kind = ErrorKind.CONFLICT
    slug = "already-registered"
    title = "This person already has a login"


class EmailInUseError(DomainError):
    """Another login uses the e-mail address."""

    kind = ErrorKind.CONFLICT
    slug = "email-in-use"
    title = "The e-mail address is already in use"


class InvalidEmailError(DomainError):
    """Not an e-mail address."""

    kind = ErrorKind.INVALID
    slug = "invalid-email"
    title = "The e-mail address is not valid"


class WeakPasswordError(DomainError):
    """The password breaks the password policy."""

    kind = ErrorKind.INVALID
    slug = "weak-password"
    title = "The password is too weak"


class BreachedPasswordError(DomainError):
    """The password is on the list of commonly used and leaked passwords."""

    kind = ErrorKind.INVALID
    slug = "breached-password"
    title = "The password is known from data breaches"


class InvalidCredentialsError(DomainError):
    """Wrong e-mail or password: one answer for both."""

    kind = ErrorKind.UNAUTHENTICATED
    slug = "invalid-credentials"
    title = "The e-mail address or password is wrong"


class WrongCurrentPasswordError(DomainError):
    """The current password given to change the password is wrong. 403, not 401: the caller
    is signed in (a BFF reads 401 as "sign in again")."""

    kind = ErrorKind.FORBIDDEN
    slug = "wrong-current-password"
    title = "The current password is wrong"


class ProfileChangedError(DomainError):
    """An ``If-Match`` named a version of the profile that is no longer current; nothing changed."""

    kind = ErrorKind.STALE
    slug = "precondition-failed"
    title = "The resource has changed"


class EmailNotVerifiedError(DomainError):
    """Login needs the e-mail address verified first."""

    kind = ErrorKind.FORBIDDEN
    slug = "email-not-verified"
    title = "Verify your e-mail address first"


class MembershipEndedError(DomainError):
    """The person is no longer a member of a household."""

    kind = ErrorKind.FORBIDDEN
    slug = "membership-ended"
    title = "You are no longer a member of a Plussa household"


class ThrottledError(DomainError):
    """Too many failed attempts; ``retry_after`` seconds tell when to try again."""

    kind = ErrorKind.THROTTLED
    slug = "too-many-attempts"
    title = "Too many failed attempts, try again later"


class InvalidRefreshTokenError(DomainError):
    """Unknown, expired or revoked refresh token."""

    kind = ErrorKind.UNAUTHENTICATED
    slug = "invalid-refresh-token"
    title = "The refresh token is not valid"


class RefreshTokenReusedError(DomainError):
    """An already used refresh token came back: the session is ended."""

    kind = ErrorKind.UNAUTHENTICATED
    slug = "refresh-token-reused"
    title = "The refresh token was already used; the session has been ended"


class SessionEndedError(DomainError):
    """The access token's session has been ended."""

    kind = ErrorKind.UNAUTHENTICATED
    slug = "session-ended"
    title = "This session has ended"


class InvalidLinkTokenError(DomainError):
    """An e-mail link token that is unknown or already used."""

    kind = ErrorKind.INVALID
    slug = "invalid-link-token"
    title = "The link is not valid or was already used"


class ExpiredLinkTokenError(DomainError):
    """An e-mail link token past its expiry."""

    kind = ErrorKind.INVALID
    slug = "expired-link-token"
    title = "The link has expired"


class PrivacyRequestNotFoundError(DomainError):
    """No such export or erasure request of this person."""

    kind = ErrorKind.NOT_FOUND
    slug = "privacy-request-not-found"
    title = "Not found"


class ExportNotReadyError(DomainError):
    """Not every service has answered the export yet."""

    kind = ErrorKind.CONFLICT
    slug = "export-not-ready"
    title = "The data export is not complete yet"


class HandOverFirstError(DomainError):
    """A main holder who still has parallel holders asked for erasure: the household would be
    left without a manager. Hand it over to an adult parallel holder first (cards'
    ``POST /v1/me/household/hand-over``), or ask again with ``close_household: true`` so each
    parallel holder gets a household of their own. ``parallel_holders``: how many there are."""

    kind = ErrorKind.CONFLICT
    slug = "hand-over-first"
    title = "Hand the household over first, or ask for it to be closed"


class InvalidClientError(DomainError):
    """Unknown client or wrong secret (RFC 6749 ``invalid_client``)."""

    kind = ErrorKind.UNAUTHENTICATED
    slug = "invalid-client"
    title = "The client credentials are not valid"


class InvalidScopeError(DomainError):
    """A requested scope the client does not hold (RFC 6749 ``invalid_scope``)."""

    kind = ErrorKind.INVALID
    slug = "invalid-scope"
    title = "The requested scope is not allowed"


class ClientExistsError(DomainError):
    """A client with this id exists."""

    kind = ErrorKind.CONFLICT
    slug = "client-exists"
    title = "A client with this id exists"


class ClientNotFoundError(DomainError):
    """No client with this id."""

    kind = ErrorKind.NOT_FOUND
    slug = "client-not-found"
    title = "Not found"


class AccountNotFoundError(DomainError):
    """The person has no login (or it was erased)."""

    kind = ErrorKind.NOT_FOUND
    slug = "account-not-found"
    title = "Not found"


class SessionNotFoundError(DomainError):
    """No active session of this person with this id."""

    kind = ErrorKind.NOT_FOUND
    slug = "session-not-found"
    title = "Not found"


class UnexpectedParticipantError(DomainError):
    """An answer to a privacy request from a service that was not asked."""

    kind = ErrorKind.INVALID
    slug = "unexpected-privacy-participant"
    title = "This service is not a participant of the request"
