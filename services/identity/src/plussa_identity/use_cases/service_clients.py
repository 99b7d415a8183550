"""Service and operator credentials: OAuth 2.0 client credentials with scopes."""

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pymongo.errors import DuplicateKeyError

from plussa_identity.access_tokens import IssuedToken
from plussa_identity.bootstrap import Identity
from plussa_identity.domain.errors import ClientExistsError, InvalidClientError, InvalidScopeError
from plussa_identity.passwords import Hasher
from plussa_identity.store import IdentityStore
from plussa_identity.use_cases import throttling

ClientKind = Literal["service", "operator"]
SCOPES = frozenset(
    {
        "cards:issue",
        "cards:lookup",
        "cards:bank",
        "points:ingest",
        "points:spend",
        "notifications:send",
        "notifications:customer-service",
        "ops",
    }
)
"""The scopes of docs/event-contract.md."""
CHAIN_SCOPE = re.compile(r"notifications:chain:[a-z0-9][a-z0-9-]{1,39}", re.ASCII)
"""The chain a partner's system sends marketing for (chains are data in notifications, so a pattern)."""


@dataclass(frozen=True)
class NewClient:
    """A created client; the secret is shown this once and only its hash is kept."""

    client_id: str
    client_secret: str
    kind: ClientKind
    scopes: list[str]


def check_scopes(scopes: list[str]) -> list[str]:
    """The scopes, each known; 400 ``invalid-scope`` otherwise."""
    unknown = sorted(s for s in set(scopes) - SCOPES if not CHAIN_SCOPE.fullmatch(s))
    if unknown or not scopes:
        raise InvalidScopeError(f"Unknown or missing scopes: {' '.join(unknown)}", error="invalid_scope")
    return sorted(set(scopes))


async def create_client(
    store: IdentityStore, hasher: Hasher, client_id: str, scopes: list[str], kind: ClientKind, *, replace: bool = False
) -> NewClient:
    """Create a client with a fresh secret (or give an existing one a new secret when ``replace``)."""
    scopes = check_scopes(scopes)
    secret = secrets.token_urlsafe(32)
    fields = {"secret_hash": await hasher.hash(secret), "scopes": scopes, "kind": kind}
    now = datetime.now(UTC)
    if replace and await store.replace_client_secret(client_id, {**fields, "updated_at": now}):
        return NewClient(client_id, secret, kind, scopes)
    try:
        await store.insert_client({"_id": client_id, **fields, "created_at": now})
    except DuplicateKeyError as exc:
        raise ClientExistsError() from exc
    return NewClient(client_id, secret, kind, scopes)


async def client_token(
    identity: Identity, client_id: str, client_secret: str, scope: str | None, address: str
) -> tuple[IssuedToken, list[str]]:
    """A service token for valid client credentials, with the requested scopes (default: all of them)."""
    now = datetime.now(UTC)
    guard = throttling.address_key(identity, "client", address)
    await throttling.check(identity, [guard], now)
    client = await identity.store.client(client_id)
    stored = client["secret_hash"] if client else None
    valid = await identity.hasher.verify(stored, client_secret)
    if client is None or stored is None or not valid:
        await throttling.record_failure(identity, [guard], now)
        raise InvalidClientError(error="invalid_client")
    if identity.hasher.needs_rehash(stored):
        await identity.store.update_client_hash(client_id, await identity.hasher.hash(client_secret))
    held = list(client["scopes"])
    wanted = scope.split() if scope else held
    if not set(wanted) <= set(held):
        raise InvalidScopeError("The client does not hold every requested scope", error="invalid_scope")
    token = await identity.issuer.service(client_id, client["kind"], sorted(set(wanted)), now)
    return token, sorted(set(wanted))
