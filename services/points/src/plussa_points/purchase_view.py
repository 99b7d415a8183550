"""A purchase as the customer views show it: its answer model and how a stored purchase
maps to it. Apart from ``plussa_points.answers`` so that the store, which keeps purchases
as this JSON in the month pages (``plussa_points.store.pages``), imports no web stack
(``answers`` does, through the language negotiation), and the month-end command stays light."""

from datetime import datetime

from pydantic import BaseModel, Field

from plussa_shared.money import Money
from plussa_shared.mongo import Document


class LineView(BaseModel):
    """A purchase line with its points."""

    line_id: str
    name: str
    category: str
    quantity: int
    amount_cents: int
    eligible: bool
    points: int
    returned_quantity: int
    returned_cents: int


class PurchaseView(BaseModel):
    """One purchase, with whose card it was made on."""

    purchase_id: str
    store_name: str
    chain: str
    occurred_at: datetime
    month: str
    total_cents: int
    total: Money
    points: int
    points_reversed: int
    card_id: str
    person_id: str | None = Field(description="Whose card; null once that person's data was erased")
    mine: bool = Field(description="Made with the caller's own card")
    lines: list[LineView]


def purchase_view(d: Document, viewer_id: str) -> PurchaseView:
    """A purchase document as ``viewer_id`` (a member of its household) sees it."""
    return PurchaseView(
        purchase_id=d["_id"],
        store_name=d.get("store_name", ""),
        chain=d["chain"],
        occurred_at=d["occurred_at"],
        month=d["month"],
        total_cents=d["total_cents"],
        total=Money.eur(d["total_cents"]),
        points=d["points"],
        points_reversed=d.get("points_reversed", 0),
        card_id=d["card_id"],
        person_id=d.get("person_id"),
        mine=d.get("person_id") == viewer_id,
        lines=d["lines"],
    )
