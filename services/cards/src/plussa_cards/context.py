"""The cards service's context: settings, store, outbox and clock, built once per process."""

import secrets
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TypeVar

import structlog
from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from plussa_cards.domain.card_number import RandomBelow, new_card_number
from plussa_cards.domain.errors import AlreadyAMemberError, ConcurrentUpdateError, PaymentCardAlreadyLinkedError
from plussa_cards.settings import CardsSettings
from plussa_cards.store import CardsStore
from plussa_cards.uow import ACTIVE, UnitOfWork
from plussa_shared.events import CloudEvent, EventData, new_event
from plussa_shared.mongo import Database, Document, Session, run_in_transaction
from plussa_shared.outbox import Outbox

log = structlog.get_logger(__name__)

T = TypeVar("T")
Clock = Callable[[], datetime]
NUMBER_ATTEMPTS = 3
"""How often a use case runs again when the card number it drew was taken meanwhile."""


def system_clock() -> datetime:
    """The current time, UTC."""
    return datetime.now(UTC)


@dataclass
class CardsContext:
    """What every use case of the cards service works with."""

    settings: CardsSettings
    client: AsyncMongoClient[Document]
    db: Database
    outbox: Outbox
    clock: Clock = system_clock
    random_below: RandomBelow = secrets.randbelow
    store: CardsStore = field(init=False)

    def __post_init__(self) -> None:
        self.store = CardsStore(self.db)

    def now(self) -> datetime:
        """The current time."""
        return self.clock()

    def today(self) -> date:
        """Today's date, UTC."""
        return self.clock().date()

    def new_card_number(self) -> str:
        """A fresh random card number (the unique index decides whether it is free)."""
        s = self.settings
        return new_card_number(s.card_number_prefix, s.card_number_length, self.random_below)

    def event(self, data: EventData, subject: str | None) -> CloudEvent[EventData]:
        """``data`` in its envelope from this service."""
        return new_event(data, source=self.settings.event_source, subject=subject)

    @contextmanager
    def joined(self, session: Session) -> Iterator[UnitOfWork]:
        """Make the caller's transaction the active one, so use cases join it."""
        uow = UnitOfWork(session)
        token = ACTIVE.set(uow)
        try:
            yield uow
        finally:
            ACTIVE.reset(token)

    async def flush(self, uow: UnitOfWork) -> None:
        """Write the unit of work's events to the outbox, in its transaction."""
        events = [self.event(data, subject) for data, subject in uow.events()]  # type: ignore[arg-type]
        await self.outbox.add(uow.session, events)

    async def run(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """Run ``work`` in one transaction (joining the active one, if any)."""
        active = ACTIVE.get()
        if active is not None:
            return await work(active)

        async def attempt(session: Session) -> T:
            uow = UnitOfWork(session)
            result = await work(uow)
            await self.flush(uow)
            return result

        for attempt_no in range(NUMBER_ATTEMPTS):
            try:
                result = await run_in_transaction(self.client, attempt)
                self.outbox.nudge()
                return result
            except DuplicateKeyError as exc:
                if "card_number" in str(exc) and attempt_no + 1 < NUMBER_ATTEMPTS:
                    log.warning("card_number_taken_retrying", attempt=attempt_no + 1)
                    continue
                if "identity_key" in str(exc) or "email_key" in str(exc):
                    raise AlreadyAMemberError("This person already has a Plussa membership") from exc
                if "network_token" in str(exc):
                    raise PaymentCardAlreadyLinkedError() from exc
                raise ConcurrentUpdateError() from exc
        raise AssertionError("unreachable")
