"""How the consumer gathers a batched subscription's events into batches.

A batch is sealed when it is full (``batch_max`` events), or when its first event has
waited ``batch_linger_ms``; at most ``batch_concurrency`` batches of a subscription
are applied at once. While that many are in flight, arriving events wait, so under a
backlog the next batch fills up instead of leaving with the few events that happened
to arrive first; with no backlog an event waits no longer than the linger time.

A batch is applied in a task of its own; each of its messages (``Pending``) keeps the
trace it was received in, and ``message_context`` gives its ids and trace back to the
log lines and outbox records about it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any

import structlog
from aio_pika.abc import AbstractIncomingMessage
from opentelemetry import context as otel_context

from plussa_shared.events import CloudEvent
from plussa_shared.tracing import continued


@dataclass
class Pending:
    """A message waiting in a batch; ``done`` is set once it is settled."""

    message: AbstractIncomingMessage
    event: CloudEvent[Any]
    done: asyncio.Future[None]
    trace: otel_context.Context = field(default_factory=otel_context.get_current)
    """The message's consumer span, where it was received; its batch runs in another task."""


@contextlib.contextmanager
def message_context(pending: Pending) -> Iterator[None]:
    """Log lines (and outbox records) about one message of a batch carry its ids and trace."""
    request_id = (pending.message.headers or {}).get("x-request-id") or None
    with (
        structlog.contextvars.bound_contextvars(
            message_id=pending.message.message_id,
            request_id=request_id,
            event_id=pending.event.id,
            event_type=pending.event.type,
        ),
        continued(pending.trace),
    ):
        yield


Settle = Callable[[list[Pending]], Coroutine[Any, Any, None]]
"""Applies and settles (acks, retries or dead-letters) every message of one batch."""


class Batcher:
    """Gathers one subscription's events into batches and settles each in a task of its own."""

    def __init__(self, settle: Settle, *, batch_max: int, linger_ms: float, concurrency: int) -> None:
        self._settle = settle
        self._batch_max = batch_max
        self._linger_s = linger_ms / 1000
        self._concurrency = max(1, concurrency)
        self._waiting: list[Pending] = []
        self._timer: asyncio.TimerHandle | None = None
        self._lingered = False
        self._draining = False
        self._tasks: set[asyncio.Task[None]] = set()

    async def submit(self, message: AbstractIncomingMessage, event: CloudEvent[Any]) -> None:
        """Add the message to the batch being gathered and wait until it is settled."""
        loop = asyncio.get_running_loop()
        pending = Pending(message, event, loop.create_future())
        self._waiting.append(pending)
        self._dispatch()
        await asyncio.shield(pending.done)

    async def drain(self) -> None:
        """Seal what waits, without lingering, and wait until every batch is settled."""
        self._draining = True
        try:
            while self._waiting or self._tasks:
                self._dispatch()
                if self._tasks:
                    await asyncio.wait(set(self._tasks))
        finally:
            self._draining = False

    def _dispatch(self) -> None:
        """Start every batch that is ready while a slot is free; time the next one."""
        while self._waiting and len(self._tasks) < self._concurrency and self._ready():
            batch, self._waiting = self._waiting[: self._batch_max], self._waiting[self._batch_max :]
            # A fresh context: the batch is not about the message that happened to open it.
            task = asyncio.get_running_loop().create_task(self._settle(batch), context=contextvars.Context())
            self._tasks.add(task)
            task.add_done_callback(self._finished)
        if not self._waiting:
            self._lingered = False
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        elif self._timer is None and not self._lingered:
            self._timer = asyncio.get_running_loop().call_later(self._linger_s, self._linger_over)

    def _ready(self) -> bool:
        return len(self._waiting) >= self._batch_max or self._lingered or self._draining

    def _linger_over(self) -> None:
        self._timer = None
        self._lingered = True  # what waits now leaves with the next free slot
        self._dispatch()

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._dispatch()
