"""Verifying access tokens and declaring who may call a route.

Identity signs short-lived JWTs with an asymmetric key (EdDSA or RS256) and
publishes its public keys as a JWKS. Every other service verifies tokens locally
against that JWKS, cached and fetched again when a token names an unknown ``kid``
(key rotation), at most once per ``min_refresh_s``.
"""

import asyncio
import hashlib
import time
from collections.abc import Container
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import aiohttp
import jwt
import structlog
from pydantic import BaseModel, ConfigDict

from plussa_shared.errors import ForbiddenError, UnauthorizedError

log = structlog.get_logger(__name__)

ALGORITHMS = ["EdDSA", "RS256"]


class Principal(BaseModel):
    """Who is asking: a customer (a person), a service (a till, a partner, a bank) or
    an operator. Customers carry their household and role as of the token's issue."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["customer", "service", "operator"]
    subject: str
    household_id: str | None = None
    role: Literal["main", "parallel"] | None = None
    scopes: frozenset[str] = frozenset()
    session_id: str | None = None

    @property
    def is_main_holder(self) -> bool:
        """A customer who is their household's main holder."""
        return self.kind == "customer" and self.role == "main"

    def require_customer(self) -> str:
        """The person id of a customer principal, or 403."""
        if self.kind != "customer":
            raise ForbiddenError("This action is for a signed-in customer")
        return self.subject


@dataclass(frozen=True)
class Access:
    """Who may call a route: anyone, customers, and/or callers with one of ``scopes``
    (service and operator credentials carry scopes)."""

    public: bool = False
    customer: bool = False
    scopes: tuple[str, ...] = ()

    @classmethod
    def anyone(cls) -> "Access":
        """No token needed."""
        return cls(public=True)

    @classmethod
    def customers(cls, *scopes: str) -> "Access":
        """A signed-in customer; also service or operator tokens with one of ``scopes``."""
        return cls(customer=True, scopes=scopes)

    @classmethod
    def services(cls, *scopes: str) -> "Access":
        """Only service or operator tokens with one of ``scopes``."""
        return cls(scopes=scopes)

    def allows(self, principal: Principal) -> bool:
        """Whether ``principal`` may call the route."""
        if self.public:
            return True
        if principal.kind == "customer":
            return self.customer
        return bool(principal.scopes.intersection(self.scopes))

    def describe(self) -> str:
        """Human text for the OpenAPI description."""
        if self.public:
            return "No authentication."
        parts = []
        if self.customer:
            parts.append("a signed-in customer")
        if self.scopes:
            parts.append("a service or operator credential with scope " + " or ".join(self.scopes))
        return "Requires " + ", or ".join(parts) + "."


class KeySource(Protocol):
    """Where verification keys come from."""

    async def key(self, kid: str) -> jwt.PyJWK | None:
        """The public key with this ``kid``, or None."""
        ...


class StaticKeys:
    """Keys given up front: identity's own keys, or tests."""

    def __init__(self, jwks: dict[str, Any]) -> None:
        self._keys = {k["kid"]: jwt.PyJWK(k) for k in jwks.get("keys", [])}

    async def key(self, kid: str) -> jwt.PyJWK | None:
        """The key with this ``kid``."""
        return self._keys.get(kid)


class RemoteJwks:
    """A JWKS fetched over HTTP, cached, and fetched again on an unknown ``kid``."""

    def __init__(
        self,
        url: str,
        session: aiohttp.ClientSession,
        *,
        min_refresh_s: float = 30.0,
        retry_after_failure_s: float = 1.0,
    ) -> None:
        self._url = url
        self._session = session
        self._min_refresh_s = min_refresh_s
        self._retry_after_failure_s = retry_after_failure_s
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._fetches = 0
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> jwt.PyJWK | None:
        """The key with this ``kid``, refreshing the cache when it is unknown."""
        if kid in self._keys:
            return self._keys[kid]
        async with self._lock:
            if kid not in self._keys and time.monotonic() - self._fetched_at >= self._min_refresh_s:
                await self._refresh()
        return self._keys.get(kid)

    @property
    def fetches(self) -> int:
        """How many times the JWKS was fetched (for metrics and tests)."""
        return self._fetches

    async def _refresh(self) -> None:
        self._fetches += 1
        self._fetched_at = time.monotonic()
        try:
            async with self._session.get(self._url, timeout=aiohttp.ClientTimeout(total=5)) as resp:
                resp.raise_for_status()
                body = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            log.warning("jwks_fetch_failed", error=type(exc).__name__)
            # Identity may simply not be up yet (services start together): try again
            # soon rather than refusing every token for a whole refresh interval.
            self._fetched_at -= max(0.0, self._min_refresh_s - self._retry_after_failure_s)
            return
        items = body.get("keys") if isinstance(body, dict) else None
        keys = {}
        for item in items if isinstance(items, list) else []:
            try:
                keys[item["kid"]] = jwt.PyJWK(item)
            except (KeyError, TypeError, jwt.PyJWTError):  # one bad key must not hide the others
                continue
        if keys:
            self._keys = keys


class TokenVerifier:
    """Turns a bearer token into a ``Principal`` or raises 401.

    A token of a session in ``revoked`` is refused. Verified tokens are cached by the
    SHA-256 of the token (never the token itself), each until its own expiry; the
    revocation check runs on every call, cached or not.
    """

    def __init__(
        self,
        keys: KeySource,
        *,
        issuer: str,
        audience: str,
        revoked: Container[str] = frozenset(),
        cache_size: int = 10_000,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._revoked = revoked
        self._cache_size = cache_size
        self._cache: dict[bytes, tuple[Principal, float]] = {}

    async def verify(self, token: str) -> Principal:
        """Verify signature, algorithm, expiry, issuer, audience and that the session goes on."""
        digest = hashlib.sha256(token.encode()).digest()
        cached = self._cache.get(digest)
        if cached is not None and cached[1] > time.time():
            principal = cached[0]
        else:
            self._cache.pop(digest, None)
            principal, expires = await self._verify_signed(token)
            if len(self._cache) >= self._cache_size:
                self._cache.clear()  # crude but bounded; a miss costs only one verification
            self._cache[digest] = (principal, expires)
        if principal.session_id is not None and principal.session_id in self._revoked:
            raise UnauthorizedError("The session has ended; sign in again", slug="session-ended")
        return principal

    async def _verify_signed(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise UnauthorizedError("The token cannot be read", slug="invalid-token") from exc
        if header.get("alg") not in ALGORITHMS:
            raise UnauthorizedError("The token's algorithm is not accepted", slug="invalid-token")
        kid = header.get("kid")
        key = await self._keys.key(kid) if isinstance(kid, str) else None
        if key is None:
            raise UnauthorizedError("The token was signed by an unknown key", slug="invalid-token")
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[header["alg"]],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise UnauthorizedError("The token has expired", slug="token-expired") from exc
        except jwt.PyJWTError as exc:
            raise UnauthorizedError("The token is not valid", slug="invalid-token") from exc
        return principal_from_claims(claims), float(claims["exp"])


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """Read our claims: ``kind``, ``hh``, ``role``, ``scope``, ``sid``."""
    try:
        return Principal(
            kind=claims.get("kind", "customer"),
            subject=claims["sub"],
            household_id=claims.get("hh"),
            role=claims.get("role"),
            scopes=frozenset(str(claims.get("scope", "")).split()),
            session_id=claims.get("sid"),
        )
    except (KeyError, ValueError) as exc:
        raise UnauthorizedError("The token's claims are not valid", slug="invalid-token") from exc
