"""The problems identity's rules raise; each has a stable type slug clients can rely on."""

from plussa_shared.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ProblemError,
    TooManyRequestsError,
    UnauthorizedError,
    ValidationFailedError,
)


class InvalidCardNumberError(ValidationFailedError):
    """Not 16 digits with a valid Luhn check digit."""

    slug = "invalid-card-number"
    title = "The card number is not valid"


class CardNotRecognisedError(ValidationFailedError):
    """No active card with this number whose holder has this date of birth.

    Unknown numbers and wrong dates of birth answer alike, so the answer tells no
    one whether a number exists or whose it is."""

    slug = "card-not-recognised"
    title = "The card number and date of birth do not match a Plussa card"


class CardNotEligibleError(ValidationFailedError):
    """The card is the holder's but cannot be used to register (temporary, blocked, closed...)."""

    slug = "card-not-eligible"
    title = "Register with an active main or parallel card"


class AlreadyRegisteredError(ConflictError):
    """One login per person."""

    slug = "already-registered"
    title = "This person already has a login"


class EmailInUseError(ConflictError):
    """Another login uses the e-mail address."""

    slug = "email-in-use"
    title = "The e-mail address is already in use"


class InvalidEmailError(ValidationFailedError):
    """Not an e-mail address."""

    slug = "invalid-email"
    title = "The e-mail address is not valid"


class WeakPasswordError(ValidationFailedError):
    """The password breaks the password policy."""

    slug = "weak-password"
    title = "The password is too weak"


class BreachedPasswordError(ValidationFailedError):
    """The password is on the list of commonly used and leaked passwords."""

    slug = "breached-password"
    title = "The password is known from data breaches"


class InvalidCredentialsError(UnauthorizedError):
    """Wrong e-mail or password: one answer for both."""

    slug = "invalid-credentials"
    title = "The e-mail address or password is wrong"


class EmailNotVerifiedError(ForbiddenError):
    """Login needs the e-mail address verified first."""

    slug = "email-not-verified"
    title = "Verify your e-mail address first"


class MembershipEndedError(ForbiddenError):
    """The person is no longer a member of a household."""

    slug = "membership-ended"
    title = "You are no longer a member of a Plussa household"


class ThrottledError(TooManyRequestsError):
    """Too many failed attempts; ``retry_after`` seconds tell when to try again."""

    slug = "too-many-attempts"
    title = "Too many failed attempts, try again later"


class InvalidRefreshTokenError(UnauthorizedError):
    """Unknown, expired or revoked refresh token."""

    slug = "invalid-refresh-token"
    title = "The refresh token is not valid"


class RefreshTokenReusedError(UnauthorizedError):
    """An already used refresh token came back: the session is ended."""

    slug = "refresh-token-reused"
    title = "The refresh token was already used; the session has been ended"


class SessionEndedError(UnauthorizedError):
    """The access token's session has been ended."""

    slug = "session-ended"
    title = "This session has ended"


class InvalidLinkTokenError(ProblemError):
    """An e-mail link token that is unknown or already used."""

    status = 400
    slug = "invalid-link-token"
    title = "The link is not valid or was already used"


class ExpiredLinkTokenError(ProblemError):
    """An e-mail link token past its expiry."""

    status = 400
    slug = "expired-link-token"
    title = "The link has expired"


class PrivacyRequestNotFoundError(NotFoundError):
    """No such export or erasure request of this person."""

    slug = "privacy-request-not-found"


class ExportNotReadyError(ConflictError):
    """Not every service has answered the export yet."""

    slug = "export-not-ready"
    title = "The data export is not complete yet"


class InvalidClientError(UnauthorizedError):
    """Unknown client or wrong secret (RFC 6749 ``invalid_client``)."""

    slug = "invalid-client"
    title = "The client credentials are not valid"


class InvalidScopeError(ProblemError):
    """A requested scope the client does not hold (RFC 6749 ``invalid_scope``)."""

    status = 400
    slug = "invalid-scope"
    title = "The requested scope is not allowed"


class ClientExistsError(ConflictError):
    """A client with this id exists."""

    slug = "client-exists"
    title = "A client with this id exists"


class AccountNotFoundError(NotFoundError):
    """The person has no login (or it was erased)."""

    slug = "account-not-found"


class SessionNotFoundError(NotFoundError):
    """No active session of this person with this id."""

    slug = "session-not-found"
