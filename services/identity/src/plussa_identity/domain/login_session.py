"""A login session and its refresh-token family.

Each login starts a session whose refresh token is rotated on every use: the token
presented becomes spent and a new one is handed out. A spent token that comes back
means two parties hold the family (one of them stole it), so the whole session is
ended and both have to log in again.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from plussa_identity.domain.errors import InvalidRefreshTokenError
from plussa_identity.events.published import SessionEnded


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session lives: idle between refreshes, and at most in total; and how long
    each access token it hands out lives."""

    idle: timedelta
    max_age: timedelta
    access_ttl: timedelta = timedelta(minutes=5)


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
    access_expires_at: datetime | None = None
    """When the last access token handed out in this session expires."""

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
            access_expires_at=now + policy.access_ttl,
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
            access_expires_at=now + policy.access_ttl,
        )

    def revoked(self, now: datetime, reason: str) -> "LoginSession":
        """The session ended for ``reason``; an already ended one keeps its first reason."""
        if self.revoked_at is not None:
            return self
        return replace(self, revoked_at=now, revoked_reason=reason)

    def tokens_expire_at(self, policy: SessionPolicy) -> datetime:
        """When the last access token of the session expires (sessions stored before this was
        kept: their last token was handed out at their last use)."""
        return self.access_expires_at or self.last_used_at + policy.access_ttl

    def end(self, now: datetime, reason: str, policy: SessionPolicy) -> tuple["LoginSession", SessionEnded | None]:
        """The session ended for ``reason``, and the event that makes every service refuse its
        access tokens; no event when it had ended already or its last token has expired anyway."""
        if self.revoked_at is not None:
            return self, None
        ended = self.revoked(now, reason)
        return ended, ended.ended_event(policy, now)

    def ended_event(self, policy: SessionPolicy, now: datetime) -> SessionEnded | None:
        """``session.ended`` of this ended session, while any of its access tokens may still be in use."""
        expires_at = self.tokens_expire_at(policy)
        if self.revoked_at is None or expires_at <= now:
            return None
        return SessionEnded(
            session_id=self.session_id,
            person_id=self.person_id,
            reason=self.revoked_reason or "ended",
            expires_at=expires_at,
            occurred_at=self.revoked_at,
        )


REUSE_REASON = "refresh-token-reused"


def on_spent_token(
    session: LoginSession, now: datetime, policy: SessionPolicy
) -> tuple[LoginSession, SessionEnded | None]:
    """A spent token of ``session`` came back: the whole family ends."""
    return session.end(now, REUSE_REASON, policy)
