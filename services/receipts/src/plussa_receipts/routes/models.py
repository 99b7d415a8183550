"""What the receipts routes read and answer, with the examples the OpenAPI document shows."""

from datetime import UTC, date, datetime

from pydantic import BaseModel, ConfigDict, Field

from plussa_receipts.domain.enrolment import Enrolment
from plussa_receipts.domain.receipt import WarrantyReceipt
from plussa_shared.money import Money
from plussa_shared.paging import PageQuery

ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,100}$"


class ServiceChange(BaseModel):
    """Turn the warranty receipt service on or off."""

    model_config = ConfigDict(extra="forbid", strict=True)

    enabled: bool = Field(description="true saves purchases from now on; false stops saving")
    keep_saved_receipts: bool = Field(
        default=True, description="When turning off: keep the receipts saved so far (true) or delete them (false)"
    )


class ReceiptService(BaseModel):
    """Whether the person's purchases are saved as warranty receipts."""

    enabled: bool
    enabled_at: datetime | None = Field(description="Purchases from this instant on are saved (UTC)")
    chains: list[str] = Field(description="The chains whose purchases are saved")
    version: int = Field(description="Grows by one on every change; sent as the ETag")

    @classmethod
    def of(cls, enrolment: Enrolment, chains: list[str]) -> "ReceiptService":
        """The answer for ``enrolment``."""
        return cls(enabled=enrolment.enabled, enabled_at=enrolment.enabled_at, chains=chains, version=enrolment.version)


class ReceiptLineOut(BaseModel):
    """One product with a warranty."""

    line_id: str
    product_name: str
    quantity: int
    price: Money = Field(description="What the line cost (quantity times unit price)")
    warranty_months: int
    warranty_ends_on: date = Field(description="The last day of the warranty")
    returned: bool = Field(description="Every item of the line was returned")


class ReceiptOut(BaseModel):
    """A warranty receipt: what a shop needs to honour the warranty."""

    receipt_id: str
    purchase_id: str = Field(description="The store's reference of the purchase")
    store_id: str
    store_name: str
    chain: str
    purchased_at: datetime = Field(description="When the purchase was made (UTC)")
    card_last4: str = Field(pattern=r"^[0-9]{4}$", description="The last digits of the Plussa card used")
    lines: list[ReceiptLineOut]
    warranty_ends_on: date = Field(description="The last warranty end of the receipt's lines")
    kept_until: date = Field(description="The receipt is shown until this day, then removed")

    @classmethod
    def of(cls, receipt: WarrantyReceipt) -> "ReceiptOut":
        """The answer for ``receipt``."""
        return cls(
            receipt_id=receipt.receipt_id,
            purchase_id=receipt.purchase_id,
            store_id=receipt.store_id,
            store_name=receipt.store_name,
            chain=receipt.chain,
            purchased_at=receipt.purchased_at,
            card_last4=receipt.card_last4,
            lines=[
                ReceiptLineOut(
                    line_id=line.line_id,
                    product_name=line.name,
                    quantity=line.quantity,
                    price=Money.eur(line.amount_cents),
                    warranty_months=line.warranty_months,
                    warranty_ends_on=line.warranty_ends_on,
                    returned=line.returned,
                )
                for line in receipt.lines
            ],
            warranty_ends_on=receipt.warranty_ends_on,
            kept_until=receipt.kept_until,
        )


class ReceiptsQuery(PageQuery):
    """Search my receipts: all filters optional and combined."""

    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description='Text in a product name; case and accents do not matter ("TV" finds "tv-taso")',
    )
    store_id: str | None = Field(default=None, pattern=ID_PATTERN, description="Only this store's receipts")
    purchased_from: date | None = Field(default=None, alias="from", description="Bought on or after this day")
    purchased_to: date | None = Field(default=None, alias="to", description="Bought on or before this day")


EXAMPLE_SERVICE = ReceiptService(
    enabled=True,
    enabled_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    chains=["k-market", "k-supermarket", "k-citymarket"],
    version=1,
)
EXAMPLE_RECEIPT = ReceiptOut(
    receipt_id="6f0c3e1ab2d54c8e9a7b1c2d3e4f5a6b",
    purchase_id="kcm-0042-20260314-000123",
    store_id="kcm-0042",
    store_name="K-Citymarket Ruoholahti",
    chain="k-citymarket",
    purchased_at=datetime(2026, 3, 14, 15, 30, tzinfo=UTC),
    card_last4="4321",
    lines=[
        ReceiptLineOut(
            line_id="1",
            product_name='Televisio 55" 4K',
            quantity=1,
            price=Money.eur(79900),
            warranty_months=24,
            warranty_ends_on=date(2028, 3, 14),
            returned=False,
        )
    ],
    warranty_ends_on=date(2028, 3, 14),
    kept_until=date(2028, 9, 14),
)
