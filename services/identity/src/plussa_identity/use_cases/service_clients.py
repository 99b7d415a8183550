"""Service and operator credentials: OAuth 2.0 client credentials with scopes."""

import re
import secrets
from dataclasses import dataclass
from typing import Literal

from plussa_identity.adapters.access_tokens import IssuedToken
from plussa_identity.context import IdentityContext
from plussa_identity.domain.errors import ClientExistsError, ClientNotFoundError, InvalidClientError, InvalidScopeError
from plussa_identity.use_cases import throttling
from plussa_shared.context import UnitOfWork

ClientKind = Literal["service", "operator"]
SCOPES = frozenset(
    {
        "cards:issue",
        "cards:lookup",
        "cards:bank",
        "points:ingest",
        "points:spend",
        "benefits:offers",
        "benefits:sponsorship",
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
    ctx: IdentityContext, client_id: str, scopes: list[str], kind: ClientKind, *, replace: bool = False
) -> NewClient:
    """Create a client with a fresh secret (or give an existing one a new secret when ``replace``)."""
    scopes = check_scopes(scopes)
    secret = secrets.token_urlsafe(32)
    fields = {"secret_hash": await ctx.hasher.hash(secret), "scopes": scopes, "kind": kind}
    now = ctx.now()

    async def work(uow: UnitOfWork) -> None:
        if await ctx.store.client(client_id, uow.session) is not None:
            if not replace:
                raise ClientExistsError()
            await ctx.store.replace_client_secret(client_id, {**fields, "updated_at": now}, uow.session)
            return
        await ctx.store.insert_client({"_id": client_id, **fields, "created_at": now}, uow.session)

    await ctx.run(work)
    return NewClient(client_id, secret, kind, scopes)


@dataclass(frozen=True)
class ClientInfo:
    """A client without its secret."""

    client_id: str
    kind: ClientKind
    scopes: list[str]


async def client(ctx: IdentityContext, client_id: str) -> ClientInfo:
    """A client's kind and scopes; 404 when there is none."""
    found = await ctx.store.client(client_id)
    if found is None:
        raise ClientNotFoundError()
    return ClientInfo(client_id, found["kind"], list(found["scopes"]))


async def client_token(
    ctx: IdentityContext, client_id: str, client_secret: str, scope: str | None, address: str
) -> tuple[IssuedToken, list[str]]:
    """A service token for valid client credentials, with the requested scopes (default: all of them)."""
    now = ctx.now()
    guard = throttling.address_key(ctx, "client", address)
    client = await ctx.store.client(client_id)
    stored = client["secret_hash"] if client else None
    async with throttling.checking(ctx, [guard], now):
        valid = await ctx.hasher.verify(stored, client_secret)
        if client is None or stored is None or not valid:
            await throttling.record_failure(ctx, [guard], now)
            raise InvalidClientError(error="invalid_client")
    if ctx.hasher.needs_rehash(stored):
        rehashed = await ctx.hasher.hash(client_secret)

        async def work(uow: UnitOfWork) -> None:
            await ctx.store.update_client_hash(client_id, rehashed, uow.session)

        await ctx.run(work)
    held = list(client["scopes"])
    wanted = scope.split() if scope else held
    if not set(wanted) <= set(held):
        raise InvalidScopeError("The client does not hold every requested scope", error="invalid_scope")
    token = await ctx.issuer.service(client_id, client["kind"], sorted(set(wanted)), now)
    return token, sorted(set(wanted))
