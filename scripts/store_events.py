"""The events store systems publish and the services consume, as
docs/event-contract.md defines them. No service owns these schemas (each consumer
keeps its own tolerant copy), so the AsyncAPI document takes them from here."""

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from plussa_shared.events import EventData

Category = Literal[
    "grocery",
    "alcohol",
    "tobacco",
    "deposit",
    "betting",
    "gift_card",
    "electronics",
    "hardware",
    "home",
    "fuel",
    "other",
]


class StorePayment(BaseModel):
    """How the purchase was paid; a K-Plussa MasterCard payment carries its network token."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: Literal["payment_card", "cash", "mobile", "other"]
    network_token: str | None = None


class StorePurchaseLine(BaseModel):
    """One line of a purchase."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    line_id: str
    product_id: str
    name: str
    category: Category
    quantity: int
    unit_price_cents: int
    amount_cents: int
    warranty_months: int | None = None


class StorePurchaseCompleted(EventData):
    """A purchase at a till with a Plussa card (source ``/stores/{store_id}``)."""

    event_type: ClassVar[str] = "fi.plussa.stores.purchase.completed"
    purchase_id: str
    card_number: str = Field(pattern=r"^\d{16}$")
    store_id: str
    store_name: str
    chain: str = Field(examples=["k-citymarket", "k-supermarket", "k-market", "k-rauta", "partner"])
    occurred_at: datetime
    payment: StorePayment
    lines: list[StorePurchaseLine]
    total_cents: int


class StoreReturnLine(BaseModel):
    """One returned line of an earlier purchase."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    line_id: str
    quantity: int
    amount_cents: int


class StorePurchaseReturned(EventData):
    """Lines of an earlier purchase were returned (source ``/stores/{store_id}``)."""

    event_type: ClassVar[str] = "fi.plussa.stores.purchase.returned"
    return_id: str
    purchase_id: str
    card_number: str = Field(pattern=r"^\d{16}$")
    store_id: str
    occurred_at: datetime
    lines: list[StoreReturnLine]


STORE_EVENTS: tuple[type[EventData], ...] = (StorePurchaseCompleted, StorePurchaseReturned)
