"""The broken rules of the notifications service; each carries a kind, never an HTTP status."""

from typing import Any, ClassVar


class NotificationsError(Exception):
    """A broken rule. ``kind`` says what it means to a caller (not-found, conflict, invalid,
    forbidden, not-known-yet); ``slug`` is the stable problem type."""

    kind: ClassVar[str] = "invalid"
    slug: ClassVar[str] = "invalid"
    title: ClassVar[str] = "Invalid"

    def __init__(self, detail: str | None = None, **extras: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extras = extras


class UnknownChainError(NotificationsError):
    kind = "invalid"
    slug = "unknown-chain"
    title = "No such chain or partner"


class ChainExistsError(NotificationsError):
    kind = "conflict"
    slug = "chain-exists"
    title = "A chain or partner with this id already exists"


class UnsubscribeTokenInvalidError(NotificationsError):
    kind = "forbidden"
    slug = "unsubscribe-token-invalid"
    title = "The unsubscribe link is not valid"


class UnsubscribeTokenNotYoursError(NotificationsError):
    kind = "forbidden"
    slug = "unsubscribe-token-not-yours"
    title = "The unsubscribe link is for another person or chain"


class UnsubscribeTokenUsedError(NotificationsError):
    kind = "conflict"
    slug = "unsubscribe-token-used"
    title = "The unsubscribe link has already been used"


class MessageNotFoundError(NotificationsError):
    kind = "not-found"
    slug = "message-not-found"
    title = "No such message"


class StalePreferencesError(NotificationsError):
    kind = "stale"
    slug = "precondition-failed"
    title = "The preferences changed since they were read"


class MainHolderNotKnownError(NotificationsError):
    kind = "not-known-yet"
    slug = "main-holder-not-known"
    title = "The household's main holder is not known yet"


class CampaignNotFoundError(NotificationsError):
    kind = "not-found"
    slug = "campaign-not-found"
    title = "No such campaign"


class ChainNotAllowedError(NotificationsError):
    kind = "forbidden"
    slug = "chain-not-allowed"
    title = "This credential may not send for this chain"


class ChainNotFoundError(NotificationsError):
    kind = "not-found"
    slug = "chain-not-found"
    title = "No such chain or partner"
