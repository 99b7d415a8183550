"""The inbox: the ids of the events a service has handled, so a redelivery is not applied
twice (the consumer writes them); kept apart from the consumer so that a command preparing
the database needs no broker client."""

from pymongo.errors import OperationFailure

from plussa_shared.mongo import Database

INBOX = "inbox"
INBOX_EXPIRY_INDEX = "handled_ttl"
INDEX_OPTIONS_CONFLICT = 85


async def ensure_inbox_expiry(db: Database, retention_days: int) -> None:
    """Have MongoDB remove handled event ids ``retention_days`` after they were handled
    (a TTL index on ``handled_at``); a changed retention updates the index in place."""
    seconds = retention_days * 24 * 3600
    try:
        await db[INBOX].create_index("handled_at", name=INBOX_EXPIRY_INDEX, expireAfterSeconds=seconds)
    except OperationFailure as exc:
        if exc.code != INDEX_OPTIONS_CONFLICT:
            raise
        await db.command("collMod", INBOX, index={"name": INBOX_EXPIRY_INDEX, "expireAfterSeconds": seconds})
