"""Everything a use case needs: rules, database, outbox, clock. Built once per process."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from plussa_points.domain.rules import ProgrammeRules
from plussa_points.settings import PointsSettings
from plussa_points.store import Store
from plussa_shared.consumer import KeyedLocks
from plussa_shared.events import CloudEvent, EventData, new_event
from plussa_shared.mongo import Database, Document, Session
from plussa_shared.outbox import Outbox
from plussa_shared.unit_of_work import UnitOfWork

T = TypeVar("T")
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current time, UTC."""
    return datetime.now(UTC)


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
    locks: KeyedLocks = field(default_factory=KeyedLocks)
    """Spends, expiry and savings changes of one household queue here in this process
    instead of colliding in MongoDB (where the transaction still guards across replicas)."""

    def __post_init__(self) -> None:
        self.rules = self.settings.rules()
        self.store = Store(self.db)

    def event(self, data: EventData, household_id: str | None, at: datetime | None = None) -> CloudEvent[Any]:
        """An event of this service about a household."""
        subject = f"household/{household_id}" if household_id else None
        return new_event(data, source=self.settings.event_source, subject=subject, time=at)

    async def run(self, work: Callable[[Session], Awaitable[T]]) -> T:
        """One use case, one transaction (state and outbox together).

        Two requests with one id (a purchase, a till transaction) can both find it
        new and race to insert it; the loser runs once more and finds the winner's.
        """
        uow = UnitOfWork(self.client, self.outbox)
        try:
            return await uow.run(work)
        except DuplicateKeyError:
            return await uow.run(work)
