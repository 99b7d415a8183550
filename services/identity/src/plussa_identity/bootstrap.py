"""The dependencies every identity use case works with, wired once per application."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from pymongo import AsyncMongoClient

from plussa_identity.access_tokens import TokenIssuer
from plussa_identity.domain.login_session import SessionPolicy
from plussa_identity.domain.password_policy import PasswordPolicy
from plussa_identity.domain.throttle import ThrottlePolicy
from plussa_identity.passwords import Hasher, password_policy
from plussa_identity.settings import IdentitySettings
from plussa_identity.signing_keys import KeyRing
from plussa_identity.store import IdentityStore
from plussa_shared.events import CloudEvent, EventData, new_event
from plussa_shared.mongo import Database, Document, Session
from plussa_shared.outbox import Outbox
from plussa_shared.unit_of_work import UnitOfWork

T = TypeVar("T")


@dataclass
class Identity:
    """Settings, store, hasher, keys and the unit of work of the identity service."""

    settings: IdentitySettings
    store: IdentityStore
    hasher: Hasher
    keys: KeyRing
    issuer: TokenIssuer
    uow: UnitOfWork

    @classmethod
    def build(
        cls, settings: IdentitySettings, client: AsyncMongoClient[Document], db: Database, outbox: Outbox, keys: KeyRing
    ) -> "Identity":
        """Wire the real dependencies."""
        return cls(
            settings=settings,
            store=IdentityStore(db),
            hasher=Hasher(settings),
            keys=keys,
            issuer=TokenIssuer(keys, settings),
            uow=UnitOfWork(client, outbox),
        )

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

    def event(self, data: EventData, subject: str) -> CloudEvent[EventData]:
        """An event of identity about ``subject``."""
        return new_event(data, source=self.settings.event_source, subject=subject)

    async def run(self, work: Callable[[Session], Awaitable[T]]) -> T:
        """One use case, one transaction."""
        return await self.uow.run(work)
