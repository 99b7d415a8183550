"""A consumer's queues: their names (``QueueNames``) and their declare arguments, for
classic or quorum queues.

Locally a service's queues are classic durable queues; production runs quorum
queues (replicated with Raft on a three-node RabbitMQ cluster), chosen by the
``QUEUE_TYPE`` setting. The arguments here are only those that depend on the queue
type; the consumer adds the dead-lettering and TTL arguments that make its retry
design (see docs/queues.md). RabbitMQ refuses to redeclare a queue with other
arguments, so changing the type of an existing queue needs the migration that
docs/queues.md describes.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

QueueType = Literal["classic", "quorum"]


class QueueRole(StrEnum):
    """What a queue is for in the retry design."""

    MAIN = "main"
    """The service's queue: consumed; dead-letters to the dead-letter queue."""
    DELAY = "delay"
    """A retry delay queue: never consumed; its messages expire back to the main queue."""
    DEAD = "dead"
    """The dead-letter queue: read by operators, never dead-letters anywhere."""


def queue_arguments(role: QueueRole, queue_type: QueueType, delivery_limit: int) -> dict[str, Any]:
    """The type-dependent declare arguments of a queue playing ``role``.

    Classic queues need none. Quorum queues get ``x-queue-type``; the two that
    dead-letter (main and delay) dead-letter at least once, which RabbitMQ allows
    only with ``reject-publish`` overflow, so a message expiring from a delay queue
    or given up on by the main queue is never lost on the way. The main queue also
    gets ``x-delivery-limit``: a message redelivered that often (a consumer that
    dies on it every time) is dead-lettered instead of looping forever. The
    dead-letter queue gets no limit, because there a message over it would be
    dropped.
    """
    if queue_type == "classic":
        return {}
    arguments: dict[str, Any] = {"x-queue-type": "quorum"}
    if role in (QueueRole.MAIN, QueueRole.DELAY):
        arguments |= {"x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"}
    if role is QueueRole.MAIN:
        arguments["x-delivery-limit"] = delivery_limit
    return arguments


@dataclass(frozen=True)
class QueueNames:
    """The queue names of one consumer: main, delay queues, dead letters."""

    main: str

    def delay(self, delay_ms: int) -> str:
        """The queue where a retried message waits ``delay_ms`` before it returns to
        the main queue. Named after its delay, because a queue's TTL cannot change:
        new retry settings declare new queues instead of clashing with the old ones,
        whose messages still come back when their time is up."""
        return f"{self.main}.retry.{delay_ms}ms"

    def retry(self, level: int) -> str:
        """The level-numbered delay queue name used before queues were named after
        their delay; kept so tooling can still find and remove such queues."""
        return f"{self.main}.retry.{level}"

    @property
    def dead(self) -> str:
        """The dead-letter queue."""
        return f"{self.main}.dead"

    @property
    def requeue(self) -> str:
        """The consumer's own direct exchange that routes retried and dead-lettered
        copies to the delay and dead-letter queues, and expired delays back to the
        main queue, by queue name. Its own, not the default exchange: a broker user
        allowed to write to the default exchange could put messages into any queue,
        another service's or a partner's."""
        return f"{self.main}.requeue"
