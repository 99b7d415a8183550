"""Everything a receipts use case needs: settings, store, outbox, clock and the PDF renderer."""

from dataclasses import dataclass, field

from plussa_receipts.documents import ReceiptPdf
from plussa_receipts.settings import ReceiptsSettings
from plussa_receipts.store import ReceiptsStore
from plussa_shared.context import ServiceContext


@dataclass
class ReceiptsContext(ServiceContext[ReceiptsSettings]):
    """What every use case of the receipts service works with, built once per process."""

    store: ReceiptsStore = field(init=False)
    pdf: ReceiptPdf = field(default_factory=ReceiptPdf.installed)

    def __post_init__(self) -> None:
        self.store = ReceiptsStore(self.db)

    @property
    def chains(self) -> frozenset[str]:
        """The chains whose purchases are kept."""
        return frozenset(self.settings.receipt_chains)
