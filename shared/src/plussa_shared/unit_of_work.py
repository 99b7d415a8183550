"""One use case, one transaction: the state change and its events commit together."""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from pymongo import AsyncMongoClient

from plussa_shared.mongo import Document, Session, run_in_transaction
from plussa_shared.outbox import Outbox

T = TypeVar("T")


class UnitOfWork:
    """Runs ``work`` in a transaction and wakes the outbox relay once it commits.

    ``work`` receives the session; it loads, calls the domain, saves, and adds the
    domain's events with ``uow.outbox.add(session, events)``.
    """

    def __init__(self, client: AsyncMongoClient[Document], outbox: Outbox) -> None:
        self.client = client
        self.outbox = outbox

    async def run(self, work: Callable[[Session], Awaitable[T]]) -> T:
        """Commit ``work`` atomically and return its result."""
        result = await run_in_transaction(self.client, work)
        self.outbox.nudge()
        return result
