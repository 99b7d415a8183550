"""The identity service's context: settings, store, outbox, clock, hasher and keys,
built once per process; every use case runs its transaction through it."""

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from pymongo import AsyncMongoClient

from plussa_identity.adapters.access_tokens import TokenIssuer
from plussa_identity.adapters.passwords import Hasher, password_policy
from plussa_identity.adapters.signing_keys import KeyRing
from plussa_identity.domain.login_session import SessionPolicy
from plussa_identity.domain.password_policy import PasswordPolicy
from plussa_identity.domain.throttle import ThrottlePolicy
from plussa_identity.settings import IdentitySettings
from plussa_identity.store import IdentityStore
from plussa_shared.events import CloudEvent, EventData, new_event
from plussa_shared.mongo import Database, Document, Session, run_in_transaction
from plussa_shared.outbox import Outbox

T = TypeVar("T")
Clock = Callable[[], datetime]

_ACTIVE: ContextVar[Session | None] = ContextVar("identity_active_session", default=None)


def system_clock() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)


@dataclass
class UnitOfWork:
    """One transaction: its session, and the events to add to the outbox when the work is done."""

    session: Session
    context: "IdentityContext"
    events: list[CloudEvent[EventData]] = field(default_factory=list)

    def publish(self, data: EventData, subject: str | None, at: datetime | None = None) -> None:
        """An event that commits with this transaction."""
        self.events.append(self.context.event(data, subject, at))


@dataclass
class IdentityContext:
    """Settings, store, outbox, clock, hasher and keys of the identity service."""

    settings: IdentitySettings
    client: AsyncMongoClient[Document]
    db: Database
    outbox: Outbox
    store: IdentityStore
    hasher: Hasher
    keys: KeyRing
    issuer: TokenIssuer
    clock: Clock = system_clock

    @classmethod
    def build(
        cls,
        settings: IdentitySettings,
        client: AsyncMongoClient[Document],
        db: Database,
        outbox: Outbox,
        keys: KeyRing,
        clock: Clock = system_clock,
    ) -> "IdentityContext":
        """Wire the real dependencies."""
        return cls(
            settings=settings,
            client=client,
            db=db,
            outbox=outbox,
            store=IdentityStore(db),
            hasher=Hasher(settings),
            keys=keys,
            issuer=TokenIssuer(keys, settings),
            clock=clock,
        )

    def now(self) -> datetime:
        """The context's clock, read once per use case."""
        return self.clock()

    @property
    def policy(self) -> PasswordPolicy:
        """The password policy."""
        return password_policy(self.settings)

    @property
    def sessions(self) -> SessionPolicy:
        """How long sessions live."""
        s = self.settings
        return SessionPolicy(timedelta(seconds=s.refresh_token_idle_s), timedelta(seconds=s.session_max_age_s))

    @property
    def account_throttle(self) -> ThrottlePolicy:
        """Failed logins per e-mail address."""
        s = self.settings
        return ThrottlePolicy(
            s.account_free_failures,
            timedelta(seconds=s.account_lock_base_s),
            timedelta(seconds=s.account_lock_max_s),
            timedelta(seconds=s.failures_forgotten_after_s),
        )

    @property
    def address_throttle(self) -> ThrottlePolicy:
        """Failed attempts per client address."""
        s = self.settings
        return ThrottlePolicy(
            s.address_free_failures,
            timedelta(seconds=s.address_lock_base_s),
            timedelta(seconds=s.address_lock_max_s),
            timedelta(seconds=s.failures_forgotten_after_s),
        )

    def event(self, data: EventData, subject: str | None, at: datetime | None = None) -> CloudEvent[EventData]:
        """An event of identity about ``subject``."""
        return new_event(data, source=self.settings.event_source, subject=subject, time=at)

    async def run(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """One use case, one transaction (joining the consumer's when an event is being applied)."""
        active = _ACTIVE.get()
        if active is not None:
            return await self._work_in(active, work)

        async def transaction(session: Session) -> T:
            return await self._work_in(session, work)

        result = await run_in_transaction(self.client, transaction)
        self.outbox.nudge()
        return result

    async def _work_in(self, session: Session, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        uow = UnitOfWork(session, self)
        result = await work(uow)
        if uow.events:
            await self.outbox.add(session, uow.events)
        return result

    async def joining(self, session: Session, work: Callable[[], Awaitable[None]]) -> None:
        """Run ``work`` with ``session`` as the active transaction (the consumer's)."""
        token = _ACTIVE.set(session)
        try:
            await work()
        finally:
            _ACTIVE.reset(token)
