"""Everything a benefits use case needs: settings, store, outbox, clock. Built once per process."""

from dataclasses import dataclass, field

from plussa_benefits.settings import BenefitsSettings
from plussa_benefits.store import BenefitsStore
from plussa_shared.context import ServiceContext


@dataclass
class BenefitsContext(ServiceContext[BenefitsSettings]):
    """The benefits service's context: ``run`` a use case's work in one transaction."""

    store: BenefitsStore = field(init=False)

    def __post_init__(self) -> None:
        self.store = BenefitsStore(self.db)
