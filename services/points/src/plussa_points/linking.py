"""A temporary card collects points before it belongs to anyone; when it is linked to
a member, what it collected moves to that member's household.

Until then its purchases count on an account of its own (``card:{card_id}``) that
month end never pays. Linking appends an adjustment entry on both accounts and moves
the open monthly projections; the purchases are re-attributed to the household.
"""

from datetime import datetime

from plussa_points.context import Points
from plussa_points.domain.calendar import accounting_month
from plussa_points.store import ledger_entry, month_key, person_key
from plussa_shared.mongo import Session

MONTH_FIELDS = (
    "base_points",
    "mastercard_points",
    "reversed_points",
    "campaign_points",
    "grocery_cents",
    "purchase_cents",
    "purchases",
)


async def move_card_points(
    pts: Points, card_id: str, household_id: str, person_id: str | None, at: datetime, session: Session
) -> int:
    """Move what an unlinked card collected to the household; return the points moved."""
    s = pts.store
    source_id = f"card:{card_id}"
    source = await s.accounts.find_one({"_id": source_id, "moved_to": {"$exists": False}}, session=session)
    if source is None:
        return 0
    target = await s.accounts.find_one({"_id": household_id}, {"last_closed_month": 1}, session=session) or {}
    months = await s.household_months.find({"household_id": source_id, "closed": False}, session=session).to_list()
    for doc in months:
        month = accounting_month(doc["month"], target.get("last_closed_month"))
        inc = {field: doc[field] for field in MONTH_FIELDS if doc.get(field)}
        if person_id is not None:
            points = doc.get("base_points", 0) + doc.get("mastercard_points", 0) - doc.get("reversed_points", 0)
            inc[f"persons.{person_key(person_id)}.points"] = points + doc.get("campaign_points", 0)
            inc[f"persons.{person_key(person_id)}.spend_cents"] = doc.get("purchase_cents", 0)
        await s.household_months.update_one(
            {"_id": month_key(household_id, month)},
            {"$inc": inc, "$setOnInsert": {"household_id": household_id, "month": month, "closed": False}},
            upsert=True,
            session=session,
        )
    await s.household_months.update_many(
        {"household_id": source_id, "closed": False},
        {"$set": {"closed": True, "moved_to": household_id}},
        session=session,
    )
    await s.purchases.update_many(
        {"household_id": source_id}, {"$set": {"household_id": household_id, "person_id": person_id}}, session=session
    )
    points = int(source.get("points", 0))
    await s.accounts.update_one({"_id": source_id}, {"$set": {"points": 0, "moved_to": household_id}}, session=session)
    await s.accounts.update_one({"_id": household_id}, {"$inc": {"points": points}}, upsert=True, session=session)
    for account, sign in ((source_id, -1), (household_id, 1)):
        await s.ledger.insert_one(
            ledger_entry(
                f"adjustment:{source_id}:{account}",
                household_id=account,
                person_id=person_id if sign > 0 else None,
                reason="adjustment",
                at=at,
                points=sign * points,
                reference=card_id,
                why="temporary card linked",
            ),
            session=session,
        )
    return points
