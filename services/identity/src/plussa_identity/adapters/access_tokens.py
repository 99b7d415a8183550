"""Short-lived access tokens: EdDSA JWTs with ``kid``, read by plussa_shared.auth."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from plussa_identity.adapters.signing_keys import ALGORITHM, KeyRing
from plussa_identity.domain.members import MemberView
from plussa_identity.settings import IdentitySettings


@dataclass(frozen=True)
class IssuedToken:
    """A signed token and how many seconds it lives."""

    token: str
    expires_in: int


class TokenIssuer:
    """Signs customer and service tokens with the key ring's active key."""

    def __init__(self, keys: KeyRing, settings: IdentitySettings) -> None:
        self._keys = keys
        self._settings = settings

    async def customer(self, member: MemberView, session_id: str, now: datetime) -> IssuedToken:
        """A person's token; household and role as the read model has them now."""
        ttl = self._settings.access_token_ttl_s
        claims = {
            "sub": member.person_id,
            "kind": "customer",
            "hh": member.household_id,
            "role": member.role,
            "sid": session_id,
        }
        return IssuedToken(await self._sign(claims, now, ttl), ttl)

    async def service(self, client_id: str, kind: str, scopes: list[str], now: datetime) -> IssuedToken:
        """A store, partner or operator system's token."""
        ttl = self._settings.service_token_ttl_s
        claims = {"sub": client_id, "kind": kind, "scope": " ".join(scopes)}
        return IssuedToken(await self._sign(claims, now, ttl), ttl)

    async def _sign(self, claims: dict[str, Any], now: datetime, ttl: int) -> str:
        signer = await self._keys.signer()
        payload = {
            "iss": self._settings.jwt_issuer,
            "aud": self._settings.jwt_audience,
            "iat": now,
            "exp": now + timedelta(seconds=ttl),
            **claims,
        }
        return jwt.encode(payload, signer.private_key, algorithm=ALGORITHM, headers={"kid": signer.kid})
