"""The broken rules of the notifications service; each carries a kind, never an HTTP status."""

from plussa_shared.domain import DomainError, ErrorKind


class UnknownChainError(DomainError):
    kind = ErrorKind.INVALID
    slug = "unknown-chain"
    title = "No such chain or partner"


class ChainNotFoundError(DomainError):
    kind = ErrorKind.NOT_FOUND
    slug = "chain-not-found"
    title = "No such chain or partner"


class ChainExistsError(DomainError):
    kind = ErrorKind.CONFLICT
    slug = "chain-exists"
    title = "A chain or partner with this id already exists"


class UnsubscribeTokenInvalidError(DomainError):
    kind = ErrorKind.FORBIDDEN
    slug = "unsubscribe-token-invalid"
    title = "The unsubscribe link is not valid"


class UnsubscribeTokenNotYoursError(DomainError):
    kind = ErrorKind.FORBIDDEN
    slug = "unsubscribe-token-not-yours"
    title = "The unsubscribe link is for another person or chain"


class UnsubscribeTokenUsedError(DomainError):
    kind = ErrorKind.CONFLICT
    slug = "unsubscribe-token-used"
    title = "The unsubscribe link has already been used"


class StalePreferencesError(DomainError):
    kind = ErrorKind.STALE
    slug = "precondition-failed"
    title = "The preferences changed since they were read"


class MainHolderNotKnownError(DomainError):
    kind = ErrorKind.NOT_KNOWN_YET
    slug = "main-holder-not-known"
    title = "The household's main holder is not known yet"


class OfferNotKnownError(DomainError):
    kind = ErrorKind.NOT_KNOWN_YET
    slug = "offer-not-known"
    title = "The offer has not been published yet"


class CampaignNotFoundError(DomainError):
    kind = ErrorKind.NOT_FOUND
    slug = "campaign-not-found"
    title = "No such campaign"


class ChainNotAllowedError(DomainError):
    kind = ErrorKind.FORBIDDEN
    slug = "chain-not-allowed"
    title = "This credential may not send for this chain"
