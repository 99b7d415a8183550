"""What a service consumes: one event type, the service's own schema for its data, and
the handler (or batch handler) that applies it within the consumer's transaction."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeAlias, TypeVar, Union

from pydantic import BaseModel

from plussa_shared.events import CloudEvent, routing_key_for
from plussa_shared.mongo import Session, activated

DataT = TypeVar("DataT", bound=BaseModel)


# Subscripted only in annotations, which this module does not evaluate (pydantic's
# CloudEvent[DataT] is a class, so the alias is not a runtime generic).
Handler: TypeAlias = Union[  # noqa: UP007
    Callable[[CloudEvent[DataT]], Awaitable[None]],
    Callable[[CloudEvent[DataT], Session], Awaitable[None]],
]
"""``async def (event) -> None`` bound to the service context (a use case joining the
consumer's transaction through ``ctx.run``). Deprecated: ``(event, session)``."""
BatchHandler: TypeAlias = Union[  # noqa: UP007
    Callable[[Sequence[CloudEvent[DataT]]], Awaitable[None]],
    Callable[[Sequence[CloudEvent[DataT]], Session], Awaitable[None]],
]
"""The same for a batch of events."""


@dataclass(frozen=True)
class Subscription(Generic[DataT]):
    """One event type a service consumes, the consumer's own schema for its data,
    and the handler that applies it within the consumer's transaction."""

    event_type: str
    schema: type[DataT]
    handler: Handler[DataT]
    batch_max: int = 1
    """Up to this many ready events are applied in one transaction; 1 is one per transaction."""
    batch_linger_ms: float = 10.0
    """How long a batch waits for more events after its first one arrived."""
    batch_concurrency: int = 2
    """How many of its batches are applied at once; while that many are, the next one
    keeps filling (up to ``batch_max``) however long its first event has waited."""
    batch_handler: BatchHandler[DataT] | None = None
    """Applies a batch's new events (in arrival order) at once; without it ``handler``
    runs for each of them in turn. Both run in the batch's transaction."""
    private: bool = False
    """The event is meant for this service alone (it carries a secret): its queue is
    bound on the service's private exchange instead of the internal one."""
    order_key: Callable[[DataT], str] | None = None
    """What its events are applied in order by, when not their subject: a purchase's
    subject is the purchase, but its writes are the card holder's. Events of one key
    never ride in two batches at once, whose transactions would meet as a write
    conflict and run again whole."""
    _legacy: tuple[bool, bool] = field(init=False, repr=False, compare=False, default=(False, False))

    def __post_init__(self) -> None:
        legacy = (_takes_session(self.handler), self.batch_handler is not None and _takes_session(self.batch_handler))
        object.__setattr__(self, "_legacy", legacy)

    @property
    def routing_key(self) -> str:
        """The binding key on the topic exchange."""
        return routing_key_for(self.event_type)

    def order_of(self, event: CloudEvent[DataT]) -> str:
        """The key ``event`` waits its turn by: its ``order_key``, else its subject."""
        if self.order_key is not None:
            return f"{self.event_type}:{self.order_key(event.data)}"
        return event.subject or ""

    async def apply(self, event: CloudEvent[DataT], session: Session) -> None:
        """Run the handler for ``event`` inside ``session``'s transaction, made the active one."""
        with activated(session):
            if self._legacy[0]:
                await self.handler(event, session)  # type: ignore[call-arg]
            else:
                await self.handler(event)  # type: ignore[call-arg]

    async def apply_batch(self, events: Sequence[CloudEvent[DataT]], session: Session) -> None:
        """Run the batch handler for ``events`` inside ``session``'s transaction, made the active one."""
        assert self.batch_handler is not None
        with activated(session):
            if self._legacy[1]:
                await self.batch_handler(events, session)  # type: ignore[call-arg]
            else:
                await self.batch_handler(events)  # type: ignore[call-arg]


def _takes_session(handler: Callable[..., Any]) -> bool:
    """Whether ``handler`` is the deprecated ``(event, session)`` kind."""
    required = [
        p
        for p in inspect.signature(handler).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    return len(required) >= 2
