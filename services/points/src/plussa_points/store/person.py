"""Everything the points service holds about one person: exported on request, erased on request.

Erasure anonymises person-level details (the link from purchases, ledger entries and
spends to the person, product names of their purchase lines, their monthly totals and
membership) and keeps the amounts and points that accounting law requires, on the household.
The month pages of the person and of their households (``plussa_points.store.pages``)
are dropped, since the purchases they show change; their next purchases build them anew.
"""

from typing import Any

from plussa_points.store.balance import BalanceViews
from plussa_points.store.collections import (
    ACCOUNTS,
    BALANCE_VIEWS,
    CARDS,
    GRANTS,
    HOUSEHOLD_MONTHS,
    LEDGER,
    LOTS,
    MEMBERS,
    MONTH_PAGES,
    PAYMENT_CARDS,
    PURCHASES,
    REJECTED_PURCHASES,
    RETURNS,
    SPENDS,
    STATEMENTS,
    person_key,
)
from plussa_shared.mongo import Database, Document, Session
from plussa_shared.privacy import ErasedHolders, pseudonym, replace_ids


def _plain(doc: Document) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in doc.items() if k != "fingerprint"}


class PersonData:
    """A person's data across the points collections."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.erased_holders = ErasedHolders(db)

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
        """Anonymise the person's details; keep the household's amounts. Their card and
        payment card copies go, remembered by digest so that no late version brings one back;
        the card ids and numbers in the kept records become pseudonyms."""
        who = {"person_id": person_id}
        cards = await self.db[CARDS].find(who, session=session).to_list()
        ids = {key: pseudonym() for card in cards for key in (card["_id"], card["card_number"])}
        await replace_ids(self.db, session, ids, CARD_FIELDS)
        await self.db[CARDS].delete_many(who, session=session)
        await self.erased_holders.record(person_id, session, card_ids=[card["_id"] for card in cards])
        await self.db[PAYMENT_CARDS].delete_many(who, session=session)
        await self.db[PURCHASES].update_many(
            who,
            {"$set": {"person_id": None, "erased": True, "lines.$[].name": "", "lines.$[].product_id": ""}},
            session=session,
        )
        for name in (LEDGER, RETURNS, GRANTS, SPENDS):
            await self.db[name].update_many(who, {"$set": {"person_id": None}}, session=session)
        key = person_key(person_id)
        await self.db[HOUSEHOLD_MONTHS].update_many(
            {f"persons.{key}": {"$exists": True}}, {"$unset": {f"persons.{key}": ""}}, session=session
        )
        households = await self.db[MEMBERS].distinct("household_id", who, session=session)
        await self.db[MONTH_PAGES].delete_many(
            {"$or": [{"person_id": person_id}, {"household_id": {"$in": households}}]}, session=session
        )
        await self.db[MEMBERS].delete_many(who, session=session)
        await BalanceViews(self.db).refresh_members(households, session)

    async def forget_household(self, household_id: str, session: Session) -> None:
        """The erased person's household was theirs alone: its accounting records stay (amounts,
        points, months, statements, money) under a pseudonym, so they no longer name anyone."""
        await replace_ids(self.db, session, {household_id: pseudonym()}, HOUSEHOLD_FIELDS)
        await self.db[MONTH_PAGES].delete_many({"household_id": household_id}, session=session)


CARD_FIELDS: dict[str, list[str]] = {
    PURCHASES: ["card_id"],
    RETURNS: ["card_id"],
    SPENDS: ["card_id"],
    LEDGER: ["card_id", "household_id"],
    REJECTED_PURCHASES: ["card_number"],
}
"""Where the kept records name a card (a card's own account is ``card:{card_id}``)."""

HOUSEHOLD_FIELDS: dict[str, list[str]] = {
    ACCOUNTS: ["_id"],
    BALANCE_VIEWS: ["_id"],
    HOUSEHOLD_MONTHS: ["_id", "household_id"],
    STATEMENTS: ["_id", "household_id"],
    **{name: ["household_id"] for name in (LOTS, SPENDS, LEDGER, PURCHASES, RETURNS, GRANTS, MEMBERS, CARDS)},
}
"""Where the kept records name a household."""
