"""Everything a receipts use case needs: settings, store, outbox, clock. Built once per process."""

from dataclasses import dataclass, field

from plussa_receipts.settings import ReceiptsSettings
from plussa_receipts.store import ReceiptsStore
from plussa_shared.context import ServiceContext


@dataclass
class ReceiptsContext(ServiceContext[ReceiptsSettings]):
    """The receipts service's context: ``run`` a use case's work in one transaction."""

    store: ReceiptsStore = field(init=False)

    def __post_init__(self) -> None:
        self.store = ReceiptsStore(self.db)
