"""A login session and its refresh-token family.

Each login starts a session whose refresh token is rotated on every use: the token
presented becomes spent and a new one is handed out. A spent token that comes back
means two parties hold the family (one of them stole it), so the whole session is
ended and both have to log in again.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from plussa_identity.domain.errors import InvalidRefreshTokenError


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session lives: idle between refreshes, and at most in total."""

    idle: timedelta
    max_age: timedelta


@dataclass(frozen=True)
class LoginSession:
    """One logged-in device or browser of a person."""

    session_id: str
    person_id: str
    token_hash: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    generation: int = 0
    revoked_at: datetime | None = None
    revoked_reason: str | None = None
    user_agent: str | None = None
    address: str | None = None

    @classmethod
    def start(
        cls,
        *,
        session_id: str,
        person_id: str,
        token_hash: str,
        now: datetime,
        policy: SessionPolicy,
        user_agent: str | None = None,
        address: str | None = None,
    ) -> "LoginSession":
        """A fresh session at login."""
        return cls(
            session_id=session_id,
            person_id=person_id,
            token_hash=token_hash,
            created_at=now,
            last_used_at=now,
            expires_at=now + min(policy.idle, policy.max_age),
            user_agent=user_agent,
            address=address,
        )

    def is_active(self, now: datetime) -> bool:
        """Not ended and not expired."""
        return self.revoked_at is None and now < self.expires_at

    def rotated(self, presented_hash: str, new_hash: str, now: datetime, policy: SessionPolicy) -> "LoginSession":
        """The session after its current refresh token was exchanged for ``new_hash``."""
        if presented_hash != self.token_hash or not self.is_active(now):
            raise InvalidRefreshTokenError()
        hard_end = self.created_at + policy.max_age
        return replace(
            self,
            token_hash=new_hash,
            generation=self.generation + 1,
            last_used_at=now,
            expires_at=min(now + policy.idle, hard_end),
        )

    def revoked(self, now: datetime, reason: str) -> "LoginSession":
        """The session ended for ``reason``; an already ended one keeps its first reason."""
        if self.revoked_at is not None:
            return self
        return replace(self, revoked_at=now, revoked_reason=reason)


REUSE_REASON = "refresh-token-reused"


def on_spent_token(session: LoginSession, now: datetime) -> LoginSession:
    """A spent token of ``session`` came back: the whole family ends."""
    return session.revoked(now, REUSE_REASON)
