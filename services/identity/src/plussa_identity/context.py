"""The identity service's context: the shared one (settings, database, outbox, clock, run)
plus identity's store, password hasher, signing keys and token issuer; built once per process."""

from dataclasses import dataclass, field
from datetime import timedelta

from pymongo import AsyncMongoClient

from plussa_identity.adapters.access_tokens import TokenIssuer
from plussa_identity.adapters.passwords import Hasher, password_policy
from plussa_identity.adapters.signing_keys import KeyRing
from plussa_identity.domain.login_session import SessionPolicy
from plussa_identity.domain.password_policy import PasswordPolicy
from plussa_identity.domain.throttle import ThrottlePolicy
from plussa_identity.settings import IdentitySettings
from plussa_identity.store import IdentityStore
from plussa_shared.context import Clock, ServiceContext, system_clock
from plussa_shared.mongo import Database, Document
from plussa_shared.outbox import Outbox


@dataclass
class IdentityContext(ServiceContext[IdentitySettings]):
    """What identity's use cases work with."""

    store: IdentityStore = field(kw_only=True)
    hasher: Hasher = field(kw_only=True)
    keys: KeyRing = field(kw_only=True)
    issuer: TokenIssuer = field(kw_only=True)

    @classmethod
    def build(
        cls,
        settings: IdentitySettings,
        client: AsyncMongoClient[Document],
        db: Database,
        outbox: Outbox,
        keys: KeyRing | None = None,
        clock: Clock = system_clock,
    ) -> "IdentityContext":
        """Wire the real dependencies; ``keys`` when the application made the key ring already
        (it verifies tokens before the context exists)."""
        store = IdentityStore(db)
        keys = keys or KeyRing(store, settings, clock)
        return cls(
            settings,
            client,
            db,
            outbox,
            clock,
            store=store,
            hasher=Hasher(settings),
            keys=keys,
            issuer=TokenIssuer(keys, settings),
        )

    @property
    def policy(self) -> PasswordPolicy:
        """The password policy."""
        return password_policy(self.settings)

    @property
    def sessions(self) -> SessionPolicy:
        """How long sessions live."""
        s = self.settings
        return SessionPolicy(
            timedelta(seconds=s.refresh_token_idle_s),
            timedelta(seconds=s.session_max_age_s),
            timedelta(seconds=s.access_token_ttl_s),
        )

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
