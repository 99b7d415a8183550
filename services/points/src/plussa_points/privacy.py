"""Answering identity's privacy requests for what the points service holds about a person.

Erasure anonymises person-level details (the link from purchases, ledger entries
and spends to the person, product names of their purchase lines, their monthly
totals and membership) and keeps the amounts and points that accounting law
requires, on the household.
"""

from typing import Any

from plussa_points.context import Points
from plussa_points.events.consumed import PrivacyRequested
from plussa_points.events.published import ErasureCompleted, ExportCompleted
from plussa_points.store import person_key
from plussa_shared.mongo import Document, Session


def _plain(doc: Document) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in doc.items() if k != "fingerprint"}


async def export(pts: Points, data: PrivacyRequested, session: Session) -> None:
    """Publish the person's purchases, points entries and monthly totals."""
    s = pts.store
    purchases = await s.purchases.find({"person_id": data.person_id}, session=session).to_list()
    entries = await s.ledger.find({"person_id": data.person_id}, session=session).to_list()
    key = person_key(data.person_id)
    months = await s.household_months.find({f"persons.{key}": {"$exists": True}}, session=session).to_list()
    payload = {
        "purchases": [_plain(p) | {"lines": [_plain(x) for x in p["lines"]]} for p in purchases],
        "ledger": [_plain({k: v for k, v in e.items() if k != "details"}) for e in entries],
        "monthly_totals": [{"month": m["month"], **m["persons"][key]} for m in months],
    }
    event = ExportCompleted(request_id=data.request_id, person_id=data.person_id, data=payload)
    await pts.outbox.add(session, [pts.event(event, data.household_id)])


async def erase(pts: Points, data: PrivacyRequested, session: Session) -> None:
    """Anonymise the person's details; keep the household's amounts."""
    s = pts.store
    who = {"person_id": data.person_id}
    await s.purchases.update_many(
        who,
        {"$set": {"person_id": None, "erased": True, "lines.$[].name": "", "lines.$[].product_id": ""}},
        session=session,
    )
    await s.ledger.update_many(who, {"$set": {"person_id": None}}, session=session)
    await s.returns.update_many(who, {"$set": {"person_id": None}}, session=session)
    await s.grants.update_many(who, {"$set": {"person_id": None}}, session=session)
    await s.spends.update_many(who, {"$set": {"person_id": None}}, session=session)
    await s.cards.update_many(who, {"$set": {"person_id": None}}, session=session)
    key = person_key(data.person_id)
    await s.household_months.update_many(
        {f"persons.{key}": {"$exists": True}}, {"$unset": {f"persons.{key}": ""}}, session=session
    )
    await s.members.delete_many(who, session=session)
    now = pts.clock()
    event = ErasureCompleted(request_id=data.request_id, person_id=data.person_id, occurred_at=now)
    await pts.outbox.add(session, [pts.event(event, data.household_id, now)])
