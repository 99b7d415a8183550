"""Signed one-click unsubscribe tokens, one per person, chain and message (RFC 8058).

The token is an HS256 JWT naming the person (``sub``), the chain and a unique id
(``jti``); the service records each id when it is used, so a link works once.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from plussa_notifications.domain.errors import UnsubscribeTokenInvalidError

_AUDIENCE = "plussa-notifications:unsubscribe"
_ALGORITHM = "HS256"


@dataclass(frozen=True)
class UnsubscribeClaim:
    """Whose consent to which chain the token withdraws, and its one-time id."""

    person_id: str
    chain_id: str
    token_id: str


class UnsubscribeTokens:
    """Issues and reads unsubscribe tokens with one secret key."""

    def __init__(self, secret: str, *, lifetime: timedelta) -> None:
        if len(secret) < 32:
            raise ValueError("the unsubscribe signing secret must be at least 32 characters")
        self._secret = secret
        self._lifetime = lifetime

    def issue(self, claim: UnsubscribeClaim, now: datetime) -> str:
        """A token for ``claim``, valid for the configured lifetime from ``now``."""
        payload = {
            "sub": claim.person_id,
            "chain": claim.chain_id,
            "jti": claim.token_id,
            "aud": _AUDIENCE,
            "iat": int(now.timestamp()),
            "exp": int((now + self._lifetime).timestamp()),
        }
        return jwt.encode(payload, self._secret, algorithm=_ALGORITHM)

    def read(self, token: str, now: datetime) -> UnsubscribeClaim:
        """The claim of a genuine, unexpired token; anything else is refused."""
        try:
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=[_ALGORITHM],
                audience=_AUDIENCE,
                options={"require": ["sub", "chain", "jti", "exp"], "verify_iat": False},
                leeway=0,
            )
        except jwt.PyJWTError as exc:
            raise UnsubscribeTokenInvalidError() from exc
        if int(payload["exp"]) <= now.timestamp():
            raise UnsubscribeTokenInvalidError("The unsubscribe link has expired")
        values = (payload.get("sub"), payload.get("chain"), payload.get("jti"))
        if not all(isinstance(v, str) and v for v in values):
            raise UnsubscribeTokenInvalidError()
        return UnsubscribeClaim(person_id=str(values[0]), chain_id=str(values[1]), token_id=str(values[2]))
