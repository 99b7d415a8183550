"""Everything the points service holds about one person: exported on request, erased on request.

Erasure anonymises person-level details (the link from purchases, ledger entries and
spends to the person, product names of their purchase lines, their monthly totals and
membership) and keeps the amounts and points that accounting law requires, on the household.
"""

from typing import Any

from plussa_points.store.balance import BalanceViews
from plussa_points.store.collections import (
    CARDS,
    GRANTS,
    HOUSEHOLD_MONTHS,
    LEDGER,
    MEMBERS,
    PURCHASES,
    RETURNS,
    SPENDS,
    person_key,
)
from plussa_shared.mongo import Database, Document, Session


def _plain(doc: Document) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in doc.items() if k != "fingerprint"}


class PersonData:
    """A person's data across the points collections."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def export(self, person_id: str, session: Session) -> dict[str, Any]:
        """The person's purchases, points entries and monthly totals."""
        who = {"person_id": person_id}
        purchases = await self.db[PURCHASES].find(who, session=session).to_list()
        entries = await self.db[LEDGER].find(who, session=session).to_list()
        key = person_key(person_id)
        months = await self.db[HOUSEHOLD_MONTHS].find({f"persons.{key}": {"$exists": True}}, session=session).to_list()
        return {
            "purchases": [_plain(p) | {"lines": [_plain(x) for x in p["lines"]]} for p in purchases],
            "ledger": [_plain({k: v for k, v in e.items() if k != "details"}) for e in entries],
            "monthly_totals": [{"month": m["month"], **m["persons"][key]} for m in months],
        }

    async def erase(self, person_id: str, session: Session) -> None:
        """Anonymise the person's details; keep the household's amounts."""
        who = {"person_id": person_id}
        await self.db[PURCHASES].update_many(
            who,
            {"$set": {"person_id": None, "erased": True, "lines.$[].name": "", "lines.$[].product_id": ""}},
            session=session,
        )
        for name in (LEDGER, RETURNS, GRANTS, SPENDS, CARDS):
            await self.db[name].update_many(who, {"$set": {"person_id": None}}, session=session)
        key = person_key(person_id)
        await self.db[HOUSEHOLD_MONTHS].update_many(
            {f"persons.{key}": {"$exists": True}}, {"$unset": {f"persons.{key}": ""}}, session=session
        )
        households = await self.db[MEMBERS].distinct("household_id", who, session=session)
        await self.db[MEMBERS].delete_many(who, session=session)
        await BalanceViews(self.db).refresh_members(households, session)
