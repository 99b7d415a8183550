"""A warranty receipt: the lines of one purchase that carry a warranty, kept for one person."""

from dataclasses import dataclass, field
from datetime import date, datetime

from plussa_receipts.domain.search_text import fold
from plussa_receipts.domain.warranty import kept_until, warranty_ends_on
from plussa_receipts.events.published import ReceiptExpired, ReceiptSaved
from plussa_shared.domain import Aggregate


@dataclass(frozen=True)
class PurchasedLine:
    """A purchase line as the store sent it."""

    line_id: str
    product_id: str
    name: str
    quantity: int
    unit_price_cents: int
    amount_cents: int
    warranty_months: int | None


@dataclass
class ReceiptLine:
    """A line with a warranty; ``returned_quantity`` grows as items are brought back."""

    line_id: str
    product_id: str
    name: str
    quantity: int
    unit_price_cents: int
    amount_cents: int
    warranty_months: int
    warranty_ends_on: date
    returned_quantity: int = 0

    @property
    def returned(self) -> bool:
        """Every item of the line was returned: the warranty no longer applies."""
        return self.returned_quantity >= self.quantity


@dataclass(frozen=True)
class Purchase:
    """What a receipt is made of: one store purchase by one person."""

    purchase_id: str
    person_id: str
    household_id: str | None
    store_id: str
    store_name: str
    chain: str
    purchased_at: datetime
    card_last4: str
    lines: tuple[PurchasedLine, ...]


@dataclass
class WarrantyReceipt(Aggregate):
    """One purchase's warranty lines, visible until ``kept_until``."""

    receipt_id: str
    person_id: str
    purchase_id: str
    store_id: str
    store_name: str
    chain: str
    purchased_at: datetime
    card_last4: str
    lines: list[ReceiptLine]
    kept_until: date
    saved_at: datetime
    search_text: str = field(default="")

    def __post_init__(self) -> None:
        self.search_text = fold(" ".join(line.name for line in self.lines))

    @classmethod
    def keep(
        cls, purchase: Purchase, *, receipt_id: str, now: datetime, keep_months_after: int
    ) -> "WarrantyReceipt | None":
        """The receipt of ``purchase``, or None when no line carries a warranty."""
        purchased_on = purchase.purchased_at.date()
        lines = [
            ReceiptLine(
                line_id=line.line_id,
                product_id=line.product_id,
                name=line.name,
                quantity=line.quantity,
                unit_price_cents=line.unit_price_cents,
                amount_cents=line.amount_cents,
                warranty_months=line.warranty_months,
                warranty_ends_on=warranty_ends_on(purchased_on, line.warranty_months),
            )
            for line in purchase.lines
            if line.warranty_months
        ]
        if not lines:
            return None
        last_end = max(line.warranty_ends_on for line in lines)
        receipt = cls(
            receipt_id=receipt_id,
            person_id=purchase.person_id,
            purchase_id=purchase.purchase_id,
            store_id=purchase.store_id,
            store_name=purchase.store_name,
            chain=purchase.chain,
            purchased_at=purchase.purchased_at,
            card_last4=purchase.card_last4,
            lines=lines,
            kept_until=kept_until(last_end, keep_months_after),
            saved_at=now,
        )
        receipt.record(
            ReceiptSaved(
                person_id=receipt.person_id,
                receipt_id=receipt_id,
                purchase_id=purchase.purchase_id,
                store_id=purchase.store_id,
                store_name=purchase.store_name,
                chain=purchase.chain,
                lines_with_warranty=len(lines),
                product_name=lines[0].name,
                warranty_until=last_end,
                kept_until=receipt.kept_until,
                occurred_at=now,
            ),
            receipt.subject,
        )
        return receipt

    @property
    def subject(self) -> str:
        """The CloudEvents subject of this receipt's events."""
        return f"person/{self.person_id}"

    @property
    def warranty_ends_on(self) -> date:
        """The last warranty end of the receipt's lines."""
        return max(line.warranty_ends_on for line in self.lines)

    def mark_returned(self, returned: dict[str, int]) -> bool:
        """Record returned quantities per line id; lines without a warranty are not here.

        Returns whether anything changed. A return never counts more items than were bought."""
        changed = False
        for line in self.lines:
            quantity = returned.get(line.line_id, 0)
            if quantity and not line.returned:
                line.returned_quantity = min(line.quantity, line.returned_quantity + quantity)
                changed = True
        return changed

    def is_visible(self, today: date) -> bool:
        """Shown until (and including) ``kept_until``."""
        return today <= self.kept_until

    def expire(self, now: datetime) -> None:
        """Record that the receipt reached its end of keeping."""
        self.record(ReceiptExpired(person_id=self.person_id, receipt_id=self.receipt_id, occurred_at=now), self.subject)
