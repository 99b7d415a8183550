"""Everything a use case of the points service needs: rules, store, outbox, clock, locks.

Built once per process (by the app once MongoDB is up, or by a command).
"""

from dataclasses import dataclass, field

from plussa_points.domain.rules import ProgrammeRules
from plussa_points.settings import PointsSettings
from plussa_points.store import Store
from plussa_shared.context import Clock, ServiceContext, UnitOfWork, system_clock
from plussa_shared.locks import KeyedLocks

__all__ = ["Clock", "PointsContext", "UnitOfWork", "system_clock"]


@dataclass
class PointsContext(ServiceContext[PointsSettings]):
    """The points service's dependencies."""

    rules: ProgrammeRules = field(init=False)
    store: Store = field(init=False)
    locks: KeyedLocks = field(default_factory=KeyedLocks)
    """Spends, expiry and savings changes of one household queue here in this process
    instead of colliding in MongoDB (where the transaction still guards across replicas)."""

    def __post_init__(self) -> None:
        self.rules = self.settings.rules()
        self.store = Store(self.db, self.settings.page_limit_default)
