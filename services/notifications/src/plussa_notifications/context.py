"""Everything a use case needs: settings, store, outbox, clock, renderer, token signer.
Built once per process."""

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel
from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from plussa_notifications.mail.rendering import Renderer
from plussa_notifications.mail.unsubscribe import UnsubscribeTokens
from plussa_notifications.settings import NotificationsSettings
from plussa_notifications.store import Store
from plussa_shared.events import CloudEvent, EventData, new_event
from plussa_shared.mongo import Database, Document, Session, run_in_transaction
from plussa_shared.outbox import Outbox

T = TypeVar("T")
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current time, UTC."""
    return datetime.now(UTC)


class UnitOfWork:
    """One transaction: its session and the events to publish when it commits."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.events: list[CloudEvent[Any]] = []

    def add(self, event: CloudEvent[Any]) -> None:
        """Publish ``event`` with this transaction."""
        self.events.append(event)


_ACTIVE: contextvars.ContextVar[UnitOfWork | None] = contextvars.ContextVar("notifications_uow", default=None)


@dataclass
class NotificationsContext:
    """The notifications service's dependencies."""

    settings: NotificationsSettings
    client: AsyncMongoClient[Document]
    db: Database
    outbox: Outbox
    clock: Clock = system_clock
    store: Store = field(init=False)
    renderer: Renderer = field(init=False)
    tokens: UnsubscribeTokens = field(init=False)
    mail_waiting: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when messages were queued, so the sender looks at once instead of at its next poll."""
    campaigns_waiting: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.store = Store(self.db)
        self.renderer = Renderer()
        secret = self.settings.unsubscribe_secret
        assert secret is not None  # the settings fill it in
        self.tokens = UnsubscribeTokens(
            secret.get_secret_value(), lifetime=timedelta(days=self.settings.unsubscribe_token_days)
        )

    def now(self) -> datetime:
        """The current time by this context's clock."""
        return self.clock()

    def event(self, data: BaseModel, subject: str | None, at: datetime | None = None) -> CloudEvent[Any]:
        """An event of this service."""
        assert isinstance(data, EventData)
        return new_event(data, source=self.settings.event_source, subject=subject, time=at)

    async def run(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """One use case, one transaction; joins the consumer's when one is active."""
        active = _ACTIVE.get()
        if active is not None:
            return await work(active)

        async def transaction(session: Session) -> T:
            uow = UnitOfWork(session)
            token = _ACTIVE.set(uow)
            try:
                result = await work(uow)
            finally:
                _ACTIVE.reset(token)
            await self.outbox.add(session, uow.events)
            return result

        try:
            result = await run_in_transaction(self.client, transaction)
        except DuplicateKeyError:
            result = await run_in_transaction(self.client, transaction)
        self.outbox.nudge()
        return result

    async def within(self, session: Session, work: Callable[[], Awaitable[T]]) -> T:
        """Run ``work`` inside the consumer's transaction on ``session``."""
        uow = UnitOfWork(session)
        token = _ACTIVE.set(uow)
        try:
            result = await work()
        finally:
            _ACTIVE.reset(token)
        await self.outbox.add(session, uow.events)
        return result
