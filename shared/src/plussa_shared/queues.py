"""The declare arguments of a consumer's queues, for classic or quorum queues.

Locally a service's queues are classic durable queues; production runs quorum
queues (replicated with Raft on a three-node RabbitMQ cluster), chosen by the
``QUEUE_TYPE`` setting. The arguments here are only those that depend on the queue
type; the consumer adds the dead-lettering and TTL arguments that make its retry
design (see docs/queues.md). RabbitMQ refuses to redeclare a queue with other
arguments, so changing the type of an existing queue needs the migration that
docs/queues.md describes.
"""

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
