"""One transaction's unit of work: its session, the aggregates it touched, the events it publishes."""

from contextvars import ContextVar
from typing import Any

from pydantic import BaseModel

from plussa_shared.mongo import Session


class UnitOfWork:
    """One transaction: its session, the aggregates it touched and the events it publishes."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._tracked: dict[int, Any] = {}
        self._published: list[tuple[BaseModel, str | None]] = []

    def track(self, *aggregates: Any) -> None:
        """Collect these aggregates' recorded events on commit."""
        for aggregate in aggregates:
            self._tracked.setdefault(id(aggregate), aggregate)

    def publish(self, data: BaseModel, subject: str | None) -> None:
        """An event no aggregate records."""
        self._published.append((data, subject))

    def events(self) -> list[tuple[BaseModel, str | None]]:
        """Every tracked aggregate's recorded events, then the published ones; clears them."""
        found: list[tuple[BaseModel, str | None]] = []
        for aggregate in self._tracked.values():
            found.extend((e, getattr(e, "subject", None)) for e in aggregate.events)
            aggregate.events.clear()
        found.extend(self._published)
        self._published.clear()
        return found


ACTIVE: ContextVar[UnitOfWork | None] = ContextVar("cards_active_uow", default=None)
