"""The repository over identity's own collections (``repository``) and its copy of the
cards and members the cards service announces (``members``)."""

from plussa_identity.store.members import CARDS, MEMBERSHIPS, PEOPLE
from plussa_identity.store.repository import (
    ACCOUNTS,
    CLIENTS,
    INDEXES,
    LINK_TOKENS,
    PRIVACY,
    SESSIONS,
    SIGNING_KEYS,
    SPENT_REFRESH,
    THROTTLES,
    TRUSTED,
    IdentityStore,
)

__all__ = [
    "ACCOUNTS",
    "CARDS",
    "CLIENTS",
    "INDEXES",
    "LINK_TOKENS",
    "MEMBERSHIPS",
    "PEOPLE",
    "PRIVACY",
    "SESSIONS",
    "SIGNING_KEYS",
    "SPENT_REFRESH",
    "THROTTLES",
    "TRUSTED",
    "IdentityStore",
]
