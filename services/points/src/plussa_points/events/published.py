"""The events the points service publishes (``source: /plussa/points``)."""

from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel

from plussa_shared.events import EventData


class PurchaseRecorded(EventData):
    """A purchase was recorded on a household's account."""

    event_type: ClassVar[str] = "fi.plussa.points.purchase.recorded"
    purchase_id: str
    household_id: str
    person_id: str | None
    card_id: str
    store_id: str
    chain: str
    month: str
    total_cents: int
    eligible_cents: int
    points: int
    occurred_at: datetime


class PurchaseReturnRecorded(EventData):
    """A return was recorded against a purchase."""

    event_type: ClassVar[str] = "fi.plussa.points.purchase.returned"
    return_id: str
    purchase_id: str
    household_id: str
    person_id: str | None
    month: str
    returned_cents: int
    points_reversed: int
    occurred_at: datetime


class PointsEarned(EventData):
    """Points were credited: ``reason`` is purchase, campaign or bonus."""

    event_type: ClassVar[str] = "fi.plussa.points.points.earned"
    household_id: str
    person_id: str | None
    reason: str
    reference: str
    month: str
    points: int
    occurred_at: datetime


class PointsReversed(EventData):
    """Points were taken back by a return."""

    event_type: ClassVar[str] = "fi.plussa.points.points.reversed"
    household_id: str
    person_id: str | None
    return_id: str
    purchase_id: str
    month: str
    points: int
    occurred_at: datetime


class StatementClosed(EventData):
    """A household's month was closed: each step of the statement."""

    event_type: ClassVar[str] = "fi.plussa.points.statement.closed"
    statement_id: str
    household_id: str
    month: str
    carried_in: int
    base_points: int
    mastercard_points: int
    campaign_points: int
    reversed_points: int
    grocery_cents: int
    grocery_bonus_points: int
    donated_points: int
    donated_cents: int
    converted_points: int
    payout_cents: int
    carried_out: int
    occurred_at: datetime


class MoneyPaid(EventData):
    """Plussa money was paid as a lot."""

    event_type: ClassVar[str] = "fi.plussa.points.money.paid"
    household_id: str
    lot_id: str
    month: str
    cents: int
    paid_at: datetime
    expires_at: datetime
    saved_until: datetime | None


class MoneySpent(EventData):
    """Plussa money was used at a till."""

    event_type: ClassVar[str] = "fi.plussa.points.money.spent"
    household_id: str
    person_id: str
    card_id: str
    till_transaction_id: str
    cents: int
    lots: list[dict[str, Any]]
    occurred_at: datetime


class MoneySpendCancelled(EventData):
    """A till spend was cancelled or its purchase returned: the money went back to its lots."""

    event_type: ClassVar[str] = "fi.plussa.points.money.spend_cancelled"
    household_id: str
    till_transaction_id: str
    cents: int
    occurred_at: datetime


class MoneyExpired(EventData):
    """What was left of a lot expired."""

    event_type: ClassVar[str] = "fi.plussa.points.money.expired"
    household_id: str
    lot_id: str
    cents: int
    occurred_at: datetime


class MoneySaved(EventData):
    """Money was put into savings until ``saved_until``."""

    event_type: ClassVar[str] = "fi.plussa.points.money.saved"
    household_id: str
    cents: int
    saved_until: datetime
    occurred_at: datetime


class MoneyReleased(EventData):
    """Saved money became usable at the till again."""

    event_type: ClassVar[str] = "fi.plussa.points.money.released"
    household_id: str
    cents: int
    occurred_at: datetime


class CharityShare(BaseModel):
    """One charity's share of a donation."""

    charity_id: str
    cents: int


class MoneyDonated(EventData):
    """Points were donated to charity at month end."""

    event_type: ClassVar[str] = "fi.plussa.points.money.donated"
    household_id: str
    statement_id: str
    month: str
    points: int
    cents: int
    charities: list[CharityShare]
    occurred_at: datetime


class StatusChanged(EventData):
    """A household's Best Customer status changed at month end."""

    event_type: ClassVar[str] = "fi.plussa.points.status.changed"
    partner: ClassVar[bool] = True
    household_id: str
    status: str
    previous_status: str
    spend_cents: int
    month: str
    occurred_at: datetime


class ExportCompleted(EventData):
    """A person's points data, for their data export."""

    event_type: ClassVar[str] = "fi.plussa.points.export.completed"
    recipient: ClassVar[str | None] = "identity"
    request_id: str
    person_id: str
    service: str = "points"
    data: dict[str, Any]


class ErasureCompleted(EventData):
    """A person's details were anonymised (amounts kept as accounting law requires)."""

    event_type: ClassVar[str] = "fi.plussa.points.erasure.completed"
    request_id: str
    person_id: str
    service: str = "points"
    occurred_at: datetime
