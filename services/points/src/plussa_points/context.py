"""Everything a use case needs: rules, store, outbox, clock, locks. Built once per process."""

import contextlib
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from plussa_points.domain.rules import ProgrammeRules
from plussa_points.settings import PointsSettings
from plussa_points.store import Store
from plussa_shared.consumer import KeyedLocks
from plussa_shared.events import CloudEvent, EventData, new_event
from plussa_shared.mongo import Database, Document, Session, run_in_transaction
from plussa_shared.outbox import Outbox

T = TypeVar("T")
Clock = Callable[[], datetime]
_ACTIVE: ContextVar[Session | None] = ContextVar("points_active_session", default=None)


def system_clock() -> datetime:
    """The current time, UTC."""
    return datetime.now(UTC)


class UnitOfWork:
    """One transaction: its session and the events it publishes."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.events: list[tuple[BaseModel, str | None, datetime | None]] = []

    def publish(self, data: BaseModel, subject: str | None, at: datetime | None = None) -> None:
        """Publish ``data`` about ``subject`` with this transaction."""
        self.events.append((data, subject, at))


@contextlib.contextmanager
def joined(session: Session) -> Iterator[None]:
    """Make ``session``'s transaction the one ``PointsContext.run`` joins."""
    token = _ACTIVE.set(session)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


@dataclass
class PointsContext:
    """The points service's dependencies."""

    settings: PointsSettings
    client: AsyncMongoClient[Document]
    db: Database
    outbox: Outbox
    clock: Clock = system_clock
    rules: ProgrammeRules = field(init=False)
    store: Store = field(init=False)
    locks: KeyedLocks = field(default_factory=KeyedLocks)
    """Spends, expiry and savings changes of one household queue here in this process
    instead of colliding in MongoDB (where the transaction still guards across replicas)."""

    def __post_init__(self) -> None:
        self.rules = self.settings.rules()
        self.store = Store(self.db)

    def now(self) -> datetime:
        """The time as this service sees it."""
        return self.clock()

    def event(self, data: BaseModel, subject: str | None, at: datetime | None = None) -> CloudEvent[Any]:
        """An event of this service."""
        assert isinstance(data, EventData)
        return new_event(data, source=self.settings.event_source, subject=subject, time=at or self.now())

    async def run(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """One use case, one transaction (state and outbox together); joins the active one.

        Two requests with one id (a purchase, a till transaction) can both find it
        new and race to insert it; the loser runs once more and finds the winner's.
        """
        active = _ACTIVE.get()
        if active is not None:
            return await self._attempt(active, work)
        try:
            result = await run_in_transaction(self.client, lambda s: self._attempt(s, work))
        except DuplicateKeyError:
            result = await run_in_transaction(self.client, lambda s: self._attempt(s, work))
        self.outbox.nudge()
        return result

    async def _attempt(self, session: Session, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        uow = UnitOfWork(session)
        with joined(session):
            result = await work(uow)
        await self.outbox.add(session, [self.event(d, s, a) for d, s, a in uow.events])
        return result
