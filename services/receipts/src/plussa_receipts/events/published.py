"""The events the receipts service publishes (internal audience: they name people).

Subject ``person/{person_id}``. A saved receipt names its first product and store so the
notifications service can tell the person; prices and card digits stay in this service."""

from datetime import date, datetime
from typing import Any, ClassVar, Literal

from pydantic import AwareDatetime

from plussa_shared.events import EventData


class PersonEvent(EventData):
    """An event about one person's warranty receipts."""

    person_id: str

    @property
    def subject(self) -> str:
        """``person/{person_id}``."""
        return f"person/{self.person_id}"


class ServiceTurnedOn(PersonEvent):
    """``fi.plussa.receipts.service.turned_on``: purchases from now on are saved."""

    event_type: ClassVar[str] = "fi.plussa.receipts.service.turned_on"

    occurred_at: AwareDatetime


class ServiceTurnedOff(PersonEvent):
    """``fi.plussa.receipts.service.turned_off``: saving stopped; ``receipts_deleted`` says
    whether the person chose to delete what was saved."""

    event_type: ClassVar[str] = "fi.plussa.receipts.service.turned_off"

    receipts_deleted: int
    occurred_at: AwareDatetime


class ReceiptSaved(PersonEvent):
    """``fi.plussa.receipts.receipt.saved``: a purchase with warranty lines was kept."""

    event_type: ClassVar[str] = "fi.plussa.receipts.receipt.saved"

    receipt_id: str
    purchase_id: str
    store_id: str
    store_name: str
    chain: str
    lines_with_warranty: int
    product_name: str
    """The first product with a warranty: what the person's notice names."""
    warranty_until: date
    """The last warranty end of the receipt's lines."""
    kept_until: date
    occurred_at: AwareDatetime


class ReceiptExpired(PersonEvent):
    """``fi.plussa.receipts.receipt.expired``: six months after its last warranty ended."""

    event_type: ClassVar[str] = "fi.plussa.receipts.receipt.expired"

    receipt_id: str
    occurred_at: datetime


class ExportCompleted(EventData):
    """``fi.plussa.receipts.export.completed``: the person's receipts and choice, for their data export."""

    event_type: ClassVar[str] = "fi.plussa.receipts.export.completed"
    recipient: ClassVar[str | None] = "identity"  # an export payload: identity's alone

    request_id: str
    person_id: str
    service: Literal["receipts"] = "receipts"
    data: dict[str, Any]


class ErasureCompleted(EventData):
    """``fi.plussa.receipts.erasure.completed``: the person's receipts and choice are gone."""

    event_type: ClassVar[str] = "fi.plussa.receipts.erasure.completed"

    request_id: str
    person_id: str
    service: Literal["receipts"] = "receipts"
    occurred_at: datetime
