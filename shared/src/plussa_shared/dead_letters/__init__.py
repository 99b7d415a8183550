"""A service's dead-letter queue, read and written on the broker (not the database).

Dead letters are listed by taking every message of the queue without acknowledging it
and letting the channel close, which puts them all back in their places. A replay
publishes the original body (its CloudEvent id unchanged, so the consumer's inbox
makes a message already handled change nothing) straight to the service's queue
with the retry count reset, and acknowledges the dead letter only once the broker
confirmed that publish. A replayed message whose cause is not fixed goes through the
retries again and comes back here with a fresh reason and time.
"""

import contextlib
import hashlib
import json
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage

from plussa_shared.queues import QueueNames
from plussa_shared.settings import ServiceSettings
from plussa_shared.settling import (
    DEAD_AT_HEADER,
    DEAD_DETAIL_HEADER,
    DEAD_REASON_HEADER,
    LAST_ERROR_HEADER,
    ORIGINAL_ROUTING_KEY_HEADER,
    RETRY_HEADER,
)

REPLAYS_HEADER = "x-plussa-replays"
REPLAYED_AT_HEADER = "x-plussa-replayed-at"
SHORT_ID_CHARS = 8
# Headers that describe one trip through the retries and the dead-letter queue; a
# replay starts a new trip without them.
_TRIP_HEADERS = (DEAD_REASON_HEADER, DEAD_DETAIL_HEADER, DEAD_AT_HEADER, LAST_ERROR_HEADER, RETRY_HEADER, "x-death")


@dataclass(frozen=True)
class DeadLetter:
    """One message in a dead-letter queue and why it is there."""

    short_id: str
    event_id: str
    event_type: str
    subject: str
    reason: str
    detail: str
    dead_at: datetime | None
    routing_key: str
    replays: int
    body: bytes = field(repr=False)
    headers: dict[str, Any] = field(repr=False)
    message_id: str | None = None
    content_type: str | None = None
    amqp_type: str | None = None

    def age(self, now: datetime) -> timedelta | None:
        """How long it has been in the dead-letter queue."""
        return None if self.dead_at is None else now - self.dead_at

    def matches(self, ref: str) -> bool:
        """Whether ``ref`` names it: its short id, or its event id, or a prefix of either."""
        return bool(ref) and (self.short_id.startswith(ref) or self.event_id.startswith(ref))


def dead_letter_of(message: AbstractIncomingMessage) -> DeadLetter:
    """Read a dead-lettered message (its body may not even be JSON)."""
    headers = dict(message.headers or {})
    try:
        envelope = json.loads(message.body)
    except ValueError:
        envelope = {}
    if not isinstance(envelope, dict):
        envelope = {}
    event_id = str(envelope.get("id") or message.message_id or "")
    dead_at = _text(headers.get(DEAD_AT_HEADER))
    digest = hashlib.sha256(f"{event_id}|{dead_at}|{message.body!r}".encode()).hexdigest()
    replays = headers.get(REPLAYS_HEADER, 0)
    return DeadLetter(
        short_id=digest[:SHORT_ID_CHARS],
        event_id=event_id,
        event_type=str(envelope.get("type") or message.type or "?"),
        subject=str(envelope.get("subject") or _text(headers.get("ce-subject")) or ""),
        reason=_text(headers.get(DEAD_REASON_HEADER)) or "?",
        detail=_text(headers.get(DEAD_DETAIL_HEADER)),
        dead_at=_parse_time(dead_at),
        routing_key=_text(headers.get(ORIGINAL_ROUTING_KEY_HEADER)),
        replays=replays if isinstance(replays, int) else 0,
        body=message.body,
        headers=headers,
        message_id=message.message_id,
        content_type=message.content_type,
        amqp_type=message.type,
    )


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return "" if value is None else str(value)


def _parse_time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


Selector = Callable[[DeadLetter], bool]


class DeadLetterQueue:
    """The dead-letter queue of one service, named by the consumer's own ``QueueNames``."""

    def __init__(self, connection: AbstractConnection, settings: ServiceSettings) -> None:
        self._connection = connection
        self.names = QueueNames(settings.event_queue)

    async def letters(self) -> list[DeadLetter]:
        """Every dead letter, oldest first; the queue is left as it was."""
        async with self._taken() as taken:
            return [dead_letter_of(message) for message in taken]

    async def replay(self, select: Selector) -> list[DeadLetter]:
        """Send the selected dead letters back to the service's queue; return them.

        Each is removed from the dead-letter queue only after the broker confirmed
        its copy on the service's queue; the others stay as they were.
        """
        replayed: list[DeadLetter] = []
        async with self._taken() as taken, self._publisher() as publisher:
            # Through the consumer's own requeue exchange: a service's broker user may not
            # write to the default exchange, which reaches every queue.
            requeue = await publisher.get_exchange(self.names.requeue)
            for message in taken:
                letter = dead_letter_of(message)
                if not select(letter):
                    continue
                await requeue.publish(_replay_copy(letter), routing_key=self.names.main, mandatory=True)
                await message.ack()
                replayed.append(letter)
        return replayed

    async def purge(self) -> int:
        """Remove every dead letter; return how many there were."""
        channel = await self._connection.channel()
        try:
            queue = await channel.declare_queue(self.names.dead, passive=True)
            result = await queue.purge()
            return int(result.message_count or 0)
        finally:
            await _close(channel)

    @contextlib.asynccontextmanager
    async def _taken(self) -> AsyncIterator[Sequence[AbstractIncomingMessage]]:
        """Every message of the queue, taken unacknowledged; those not acked go back
        to the queue, in their places, when the channel closes."""
        channel = await self._connection.channel()
        try:
            queue = await channel.declare_queue(self.names.dead, passive=True)
            taken: list[AbstractIncomingMessage] = []
            while (message := await queue.get(no_ack=False, fail=False)) is not None:
                taken.append(message)
            yield taken
        finally:
            await _close(channel)

    @contextlib.asynccontextmanager
    async def _publisher(self) -> AsyncIterator[AbstractChannel]:
        channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
        try:
            yield channel
        finally:
            await _close(channel)


def _replay_copy(letter: DeadLetter) -> aio_pika.Message:
    """The original message for a new trip: same body and ids, retries reset."""
    headers = {k: v for k, v in letter.headers.items() if k not in _TRIP_HEADERS}
    headers[REPLAYS_HEADER] = letter.replays + 1
    headers[REPLAYED_AT_HEADER] = datetime.now(UTC).isoformat()
    return aio_pika.Message(
        body=letter.body,
        headers=headers,
        content_type=letter.content_type,
        message_id=letter.message_id,
        type=letter.amqp_type,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )


async def _close(channel: AbstractChannel) -> None:
    if not channel.is_closed:
        with contextlib.suppress(Exception):
            await channel.close()


@contextlib.asynccontextmanager
async def dead_letter_queue(settings: ServiceSettings) -> AsyncIterator[DeadLetterQueue]:
    """A connection to the broker of ``settings`` and the service's dead-letter queue on it."""
    connection = await aio_pika.connect(settings.amqp_url.get_secret_value(), timeout=10)
    try:
        yield DeadLetterQueue(connection, settings)
    finally:
        await connection.close()
