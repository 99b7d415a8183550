"""Logout everywhere: every service refuses the tokens of a session identity ended.

Identity publishes ``fi.plussa.identity.session.ended`` whenever a session ends
(logout, ending one session, a password change, a reused refresh token, a lock, an
erasure). Every service subscribes to it through the shared app, keeps the session id
in its own ``revoked_sessions`` collection until the session's last access token would
have expired anyway (a TTL index), and each replica reloads the ids into memory every
``refresh_s`` seconds, so a revoked token is refused everywhere within about that long.
"""

import asyncio
from datetime import UTC, datetime

import structlog
from pydantic import AwareDatetime, Field
from pymongo import ASCENDING, IndexModel

from plussa_shared.events import CloudEvent, ConsumedEventData
from plussa_shared.mongo import Database, Session
from plussa_shared.outages import is_outage
from plussa_shared.subscription import Subscription

log = structlog.get_logger(__name__)

SESSION_ENDED = "fi.plussa.identity.session.ended"
REVOKED_SESSIONS = "revoked_sessions"
REVOCATION_INDEXES = {
    # MongoDB removes a revocation once the session's last token has expired anyway.
    REVOKED_SESSIONS: [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0, name="expiry_ttl")],
}


class SessionEnded(ConsumedEventData):
    """Every service's copy of identity's ``session.ended``."""

    session_id: str = Field(min_length=1, max_length=200)
    expires_at: AwareDatetime
    """When the last access token issued in the session expires."""


class RevokedSessions:
    """The ended sessions this replica knows of, reloaded from the database."""

    def __init__(self, db: Database, *, refresh_s: float = 1.0) -> None:
        self._collection = db[REVOKED_SESSIONS]
        self._refresh_s = refresh_s
        self._ended: dict[str, datetime] = {}

    def __contains__(self, session_id: object) -> bool:
        expires = self._ended.get(session_id) if isinstance(session_id, str) else None
        return expires is not None and expires > datetime.now(UTC)

    async def record(self, event: CloudEvent[SessionEnded], session: Session) -> None:
        """Keep the ended session until its tokens expire (the consumer's handler)."""
        data = event.data
        await self._collection.update_one(
            {"_id": data.session_id},
            {"$max": {"expires_at": data.expires_at}, "$setOnInsert": {"ended_at": event.time}},
            upsert=True,
            session=session,
        )
        self._ended[data.session_id] = max(data.expires_at, self._ended.get(data.session_id, data.expires_at))

    def subscription(self) -> Subscription[SessionEnded]:
        """The subscription every service gets from the shared app."""
        return Subscription(SESSION_ENDED, SessionEnded, self.record)

    async def reload(self) -> None:
        """Read every live revocation (recorded by any replica) into memory."""
        now = datetime.now(UTC)
        cursor = self._collection.find({"expires_at": {"$gt": now}}, {"_id": 1, "expires_at": 1})
        self._ended = {doc["_id"]: _aware(doc["expires_at"]) async for doc in cursor}

    async def run(self) -> None:
        """Reload every ``refresh_s`` until cancelled; a failed reload keeps the last set."""
        while True:
            try:
                await self.reload()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database away: keep what we know, try again
                # An outage is reported once by the MongoDB watch (plussa_shared.outages).
                level = log.debug if is_outage(exc) else log.warning
                level("revocations_reload_failed", error=type(exc).__name__)
            await asyncio.sleep(self._refresh_s)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
