"""Everything a use case needs: rules, database, outbox, clock. Built once per process."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from pymongo import AsyncMongoClient

from plussa_points.domain.rules import ProgrammeRules
from plussa_points.settings import PointsSettings
from plussa_points.store import Store
from plussa_shared.events import CloudEvent, EventData, new_event
from plussa_shared.mongo import Database, Document, Session
from plussa_shared.outbox import Outbox
from plussa_shared.unit_of_work import UnitOfWork

T = TypeVar("T")
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current time, UTC."""
    return datetime.now(UTC)


class HouseholdLocks:
    """One asyncio lock per household in this process: concurrent spends of one household
    queue here instead of colliding in MongoDB (where the transaction still guards
    against other replicas)."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, household_id: str) -> AsyncIterator[None]:
        """Hold the household's lock."""
        lock, users = self._locks.get(household_id, (asyncio.Lock(), 0))
        self._locks[household_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[household_id]
            if users <= 1:
                del self._locks[household_id]
            else:
                self._locks[household_id] = (lock, users - 1)


@dataclass
class Points:
    """The points service's dependencies."""

    settings: PointsSettings
    client: AsyncMongoClient[Document]
    db: Database
    outbox: Outbox
    clock: Clock = system_clock
    rules: ProgrammeRules = field(init=False)
    store: Store = field(init=False)
    locks: HouseholdLocks = field(default_factory=HouseholdLocks)

    def __post_init__(self) -> None:
        self.rules = self.settings.rules()
        self.store = Store(self.db)

    def event(self, data: EventData, household_id: str | None, at: datetime | None = None) -> CloudEvent[Any]:
        """An event of this service about a household."""
        subject = f"household/{household_id}" if household_id else None
        return new_event(data, source=self.settings.event_source, subject=subject, time=at)

    async def run(self, work: Callable[[Session], Awaitable[T]]) -> T:
        """One use case, one transaction (state and outbox together)."""
        return await UnitOfWork(self.client, self.outbox).run(work)
