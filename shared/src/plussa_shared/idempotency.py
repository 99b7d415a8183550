"""Retrying a POST safely: the ``Idempotency-Key`` header.

The first request with a key claims it (a unique index on caller and key makes the
claim atomic between concurrent requests), runs, and stores its answer; a retry with
the same key and body gets that answer again, marked ``Idempotent-Replayed: true``. The
same key with another body is a 422 ``idempotency-key-reused``; a retry while the first
is still running is a 409 ``idempotent-request-in-flight``. Only successful answers are
kept: after an error the key is released so the retry runs again. A claim whose request
died holds the key for ``idempotency_lease_s`` only. Keys are per caller (the token's
subject), so one caller's key never replays another caller's answer.
"""

import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from pymongo import IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from plussa_shared.errors import (
    IdempotencyKeyReusedError,
    IdempotentRequestInFlightError,
    ValidationFailedError,
    field_error,
)
from plussa_shared.mongo import Document

IDEMPOTENCY_KEYS = "idempotency_keys"
IDEMPOTENCY_INDEXES = {
    IDEMPOTENCY_KEYS: [
        IndexModel([("caller", 1), ("key", 1)], unique=True, name="caller_key"),
        IndexModel([("expires_at", 1)], expireAfterSeconds=0, name="expiry"),
    ]
}
KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_HEADERS = ("Content-Type", "Location", "ETag", "Content-Language", "Cache-Control", "Vary")
_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, as the IETF draft's examples (UUIDs) need


def idempotency_key(request: web.Request) -> str | None:
    """The request's ``Idempotency-Key``, or None; a 422 on the header when it is not
    1-255 visible ASCII characters."""
    key = request.headers.get(KEY_HEADER)
    if key is None:
        return None
    if not _KEY.fullmatch(key):
        raise ValidationFailedError(
            errors=[field_error("invalid_key", "Send 1-255 visible ASCII characters, e.g. a UUID", header=KEY_HEADER)]
        )
    return key


def fingerprint(method: str, path_qs: str, body: bytes) -> str:
    """What makes two requests "the same": method, path with query, and body."""
    digest = hashlib.sha256()
    for part in (method.encode(), b"\0", path_qs.encode(), b"\0", body):
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True)
class IdempotencyStore:
    """The first answers of idempotent requests, per caller and key."""

    collection: AsyncCollection[Document]
    ttl: timedelta
    lease: timedelta

    async def claim(self, caller: str, key: str, print_: str) -> web.Response | None:
        """Claim ``key`` for this request (None: go ahead), or the stored answer to replay;
        422 for the key with another request, 409 while the first is in flight."""
        now = datetime.now(UTC)
        record = {
            "caller": caller,
            "key": key,
            "fingerprint": print_,
            "state": "in-flight",
            "expires_at": now + self.lease,
        }
        for _ in range(3):  # the TTL monitor may remove a found record between the two steps
            try:
                await self.collection.insert_one(dict(record))
                return None
            except DuplicateKeyError:
                found = await self.collection.find_one({"caller": caller, "key": key})
            if found is not None:
                return await self._settle(found, print_, now)
        raise IdempotentRequestInFlightError("Retry in a moment")

    async def _settle(self, found: Document, print_: str, now: datetime) -> web.Response | None:
        if found["fingerprint"] != print_:
            raise IdempotencyKeyReusedError("Use a new Idempotency-Key for a different request")
        if found["state"] == "done":
            return replay(found)
        if found["expires_at"] > now:
            raise IdempotentRequestInFlightError("Retry in a moment", retry_after=1)
        taken = await self.collection.update_one(
            {"_id": found["_id"], "state": "in-flight", "expires_at": found["expires_at"]},
            {"$set": {"expires_at": now + self.lease}},
        )
        if taken.modified_count == 0:  # another retry took over the abandoned claim first
            raise IdempotentRequestInFlightError("Retry in a moment", retry_after=1)
        return None

    async def complete(self, caller: str, key: str, response: web.Response) -> None:
        """Keep ``response`` as the answer to replay for ``key``."""
        body = response.body
        await self.collection.update_one(
            {"caller": caller, "key": key},
            {
                "$set": {
                    "state": "done",
                    "status": response.status,
                    "headers": {h: response.headers[h] for h in KEPT_HEADERS if h in response.headers},
                    "body": bytes(body) if isinstance(body, bytes | bytearray) else b"",
                    "expires_at": datetime.now(UTC) + self.ttl,
                }
            },
        )

    async def release(self, caller: str, key: str) -> None:
        """Forget the claim so a retry runs the request again."""
        await self.collection.delete_one({"caller": caller, "key": key, "state": "in-flight"})


def replay(record: Document) -> web.Response:
    """The stored answer, marked as a replay."""
    response = web.Response(status=record["status"], body=record["body"], headers=record["headers"])
    response.headers[REPLAYED_HEADER] = "true"
    return response


async def run_once(
    store: IdempotencyStore,
    caller: str,
    key: str,
    print_: str,
    produce: Callable[[], Awaitable[web.StreamResponse]],
) -> web.StreamResponse:
    """Answer with ``produce()`` the first time ``key`` is seen, the stored answer after."""
    replayed = await store.claim(caller, key, print_)
    if replayed is not None:
        return replayed
    try:
        response = await produce()
    except BaseException:
        await store.release(caller, key)
        raise
    if isinstance(response, web.Response) and 200 <= response.status < 300:
        await store.complete(caller, key, response)
    else:
        await store.release(caller, key)
    return response


def store_of(db: Any, *, ttl_s: int, lease_s: int) -> IdempotencyStore:
    """The store over the service database's ``idempotency_keys`` collection."""
    return IdempotencyStore(db[IDEMPOTENCY_KEYS], timedelta(seconds=ttl_s), timedelta(seconds=lease_s))
