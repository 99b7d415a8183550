"""Mappers of month end's documents: a closed month's statement and its payout lot."""

from plussa_points.domain.closing import Closing
from plussa_shared.mongo import Document


def statement_doc(c: Closing) -> Document:
    """The household's closed month, step by step (id ``household:month``)."""
    st = c.statement
    return {
        "_id": c.statement_id,
        "household_id": c.household_id,
        "month": c.month,
        "months": list(st.months),
        "carried_in": st.carried_in,
        "base_points": st.base_points,
        "mastercard_points": st.mastercard_points,
        "campaign_points": st.campaign_points,
        "reversed_points": st.reversed_points,
        "grocery_cents": st.grocery_cents,
        "grocery_bonus_points": st.grocery_bonus_points,
        "month_points": st.month_points,
        "donated_points": st.donation.points,
        "donated_cents": st.donation.cents,
        "donations": [{"charity_id": cid, "cents": cents} for cid, cents in st.donation.split],
        "converted_points": st.converted_points,
        "payout_cents": st.payout_cents,
        "carried_out": st.carried_out,
        "status": c.status,
        "closed_at": c.closed_at,
        "lot_id": c.lot_id if st.payout_cents else None,
    }


def lot_doc(c: Closing) -> Document:
    """The month's payout of Plussa money. A lot not saved has no ``saved_until`` (nor
    ``saved_cents``), so the sparse index on it holds the saved lots alone."""
    doc: Document = {
        "_id": c.lot_id,
        "household_id": c.household_id,
        "month": c.month,
        "cents": c.statement.payout_cents,
        "remaining_cents": c.statement.payout_cents,
        "paid_at": c.paid_at,
        "expires_at": c.expires_at,
    }
    if c.saved_until is not None:
        doc["saved_until"] = c.saved_until
        if c.saved_cents is not None:
            doc["saved_cents"] = c.saved_cents
    return doc
