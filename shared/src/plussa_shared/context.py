"""The service context every use case takes, and the unit of work of one transaction.

A service subclasses ``ServiceContext`` (``CardsContext(ServiceContext[CardsSettings])``
adding its store, policies and locks) and builds it once per process. A use case is
``async def block_card(ctx, ...)``: it calls ``ctx.run(work)``, where ``work`` loads
aggregates through the store (which tracks them on the unit of work), calls the domain
and saves. On commit every tracked aggregate's recorded events, and every event
published on the unit of work, go to the outbox in the same transaction.
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from plussa_shared.domain import Aggregate, DuplicateError, RecordedEvent
from plussa_shared.events import CloudEvent, EventData, new_event
from plussa_shared.mongo import Database, Document, Session, activated, active_session, run_in_transaction
from plussa_shared.outbox import Outbox
from plussa_shared.settings import ServiceSettings

T = TypeVar("T")
SettingsT = TypeVar("SettingsT", bound=ServiceSettings)

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UnitOfWork:
    """One transaction of one use case: its session, and the events it will publish.

    The store calls ``track`` for every aggregate it loads or adds, so an aggregate's
    recorded events cannot be forgotten; ``publish`` adds an event no aggregate records.
    """

    def __init__(self, context: "ServiceContext[Any]", session: Session) -> None:
        self.session = session
        self._context = context
        self._tracked: dict[int, Aggregate] = {}
        self._published: list[RecordedEvent] = []
        self._traces: dict[int, Mapping[str, str]] = {}  # by the recorded event's order
        self._before_commit: dict[str, Callable[[], Awaitable[None]]] = {}
        self._grouped = False

    def group_events_by_subject(self) -> None:
        """Write each run of consecutive events about one subject as one outbox record
        (the relay still publishes each as its own message): for work that publishes
        several events about each of many subjects, at one document a run."""
        self._grouped = True

    def track(self, *aggregates: Aggregate) -> None:
        """Collect these aggregates' recorded events when the work is done."""
        for aggregate in aggregates:
            self._tracked[id(aggregate)] = aggregate

    def publish(
        self,
        data: BaseModel,
        subject: str | None,
        at: datetime | None = None,
        *,
        trace: Mapping[str, str] | None = None,
    ) -> None:
        """Publish ``data`` about ``subject`` with this transaction; in the trace whose W3C
        headers ``trace`` holds (``tracing.trace_headers()`` taken where that work ran),
        else in the current one."""
        recorded = RecordedEvent(data, subject, at)
        self._published.append(recorded)
        if trace is not None:
            self._traces[recorded.order] = trace

    def before_commit(self, key: str, step: Callable[[], Awaitable[None]]) -> None:
        """Run ``step`` in this transaction once the work is done, once per ``key`` however
        often it is asked for: a read model rebuilt after all of the work's writes, however
        many of them touched it, and committed with them."""
        self._before_commit.setdefault(key, step)

    async def flush(self) -> None:
        """Run the steps asked for with ``before_commit``, then write every pending event
        to the outbox in this transaction, in the order recorded.

        ``ServiceContext.run`` calls it once the work returned; it may be called earlier.
        """
        while self._before_commit:
            steps = list(self._before_commit.values())
            self._before_commit.clear()
            for step in steps:
                await step()
        recorded = list(self._published)
        self._published.clear()
        for aggregate in self._tracked.values():
            recorded.extend(aggregate.pull_events())
        recorded.sort(key=lambda r: r.order)
        if not recorded:
            return
        now = self._context.now()
        events = [(r.data, r.subject, r.at or now) for r in recorded]
        traces = {i: self._traces.pop(r.order) for i, r in enumerate(recorded) if r.order in self._traces}
        await self._context.outbox.add_data(
            self.session, self._context.settings.event_source, events, traces=traces, grouped=self._grouped
        )


@dataclass
class ServiceContext(Generic[SettingsT]):
    """Everything a use case needs: settings, database, outbox, clock; one per process.

    Subclasses add their store and policies as fields with defaults or
    ``field(init=False)`` set in ``__post_init__``.
    """

    settings: SettingsT
    client: AsyncMongoClient[Document]
    db: Database
    outbox: Outbox
    clock: Clock = system_clock

    def now(self) -> datetime:
        """The current time as this service sees it (tests inject the clock)."""
        return self.clock()

    def event(self, data: BaseModel, subject: str | None, at: datetime | None = None) -> CloudEvent[Any]:
        """``data`` in an envelope from this service, timed ``at`` (default: now)."""
        if not isinstance(data, EventData):
            raise TypeError(f"{type(data).__name__} is not an EventData and has no event type")
        return new_event(data, source=self.settings.event_source, subject=subject, time=at or self.now())

    async def run(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """Run ``work`` as one transaction, its events included, and return its result.

        Inside a transaction already active in this task (the consumer's, which also
        records the event's inbox id) it joins that one instead, so a use case is called
        the same way from a route, a subscription or a command; the owner commits.
        A ``DuplicateKeyError`` (two requests racing for one new id) runs the work once
        more, where it finds the winner's; a second clash is a ``DuplicateError``.
        ``work`` may run more than once: keep its side effects inside the session.
        """
        joined = active_session(self.client)
        if joined is not None:
            return await self._attempt(joined, work)
        try:
            result = await self._transaction(work)
        except DuplicateKeyError:
            try:
                result = await self._transaction(work)
            except DuplicateKeyError as exc:
                raise DuplicateError("It was created at the same time by another request") from exc
        self.outbox.nudge()
        return result

    async def _transaction(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        async def attempt(session: Session) -> T:
            return await self._attempt(session, work)

        return await run_in_transaction(self.client, attempt)

    async def _attempt(self, session: Session, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        uow = UnitOfWork(self, session)
        with activated(session):
            result = await work(uow)
        await uow.flush()
        return result
