"""The ledger repository: the only writer of accounts, household months and ledger entries.

One purchase or many, a return, campaign points, a month end, a spend or an expiry:
each arrives here as entries (``Posting`` when it earns) and leaves as one write per
collection, in the caller's transaction.
"""

from collections.abc import AsyncGenerator, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, UpdateOne

from plussa_points.domain.calendar import accounting_month
from plussa_points.domain.choices import SavingsChoice
from plussa_points.domain.closing import AccountState, Closing, OpenMonth
from plussa_points.domain.ledger import Entry, Posting, account_kind
from plussa_points.domain.linking import MONTH_FIGURES, adjustments, card_account
from plussa_points.domain.statement import CharityChoice, MonthActivity
from plussa_points.store.balance import BalanceViews
from plussa_points.store.collections import ACCOUNTS, HOUSEHOLD_MONTHS, LEDGER, LOTS, STATEMENTS, month_key, person_key
from plussa_points.store.mappers import entry_doc
from plussa_points.store.months import open_months
from plussa_points.store.pages import MonthPages
from plussa_points.store.statements import lot_doc, statement_doc
from plussa_shared.mongo import Database, Document, Session

# What month end reads of an account and of an open month (``_account_state``, ``_open_month``).
_CLOSING_ACCOUNT = dict.fromkeys(
    ["carry_points", "status", "spend_by_month", "charity", "savings", "last_closed_month"], 1
)
_CLOSING_MONTH = dict.fromkeys(
    [
        "household_id",
        "month",
        "base_points",
        "mastercard_points",
        "reversed_points",
        "campaign_points",
        "grocery_cents",
        "eligible_cents",
        "purchase_cents",
    ],
    1,
)


class Ledger:
    """Accounts, household months and ledger entries of the points service."""

    def __init__(self, db: Database, pages: MonthPages) -> None:
        self.accounts = db[ACCOUNTS]
        self.months = db[HOUSEHOLD_MONTHS]
        self.entries = db[LEDGER]
        self.statements = db[STATEMENTS]
        self.lots = db[LOTS]
        self.balance = BalanceViews(db)
        self.pages = pages

    async def last_closed(self, account_ids: Sequence[str], session: Session) -> dict[str, str | None]:
        """The last month each account's statement was closed for (None: never)."""
        found: dict[str, str | None] = dict.fromkeys(account_ids)
        async for doc in self.accounts.find({"_id": {"$in": list(found)}}, {"last_closed_month": 1}, session=session):
            found[doc["_id"]] = doc.get("last_closed_month")
        return found

    async def post(self, postings: Sequence[Posting], session: Session) -> None:
        """Write entries that earn or take back points, with their accounts and months."""
        if not postings:
            return
        accounts = [
            UpdateOne(
                {"_id": p.account_id},
                {"$inc": {"points": p.entry.points}, "$setOnInsert": {"kind": account_kind(p.account_id)}},
                upsert=True,
            )
            for p in postings
        ]
        months = [UpdateOne(*_month_update(p), upsert=True) for p in postings]
        await self.accounts.bulk_write(accounts, ordered=True, session=session)
        await self.months.bulk_write(months, ordered=True, session=session)
        await self.entries.insert_many([entry_doc(p.entry) for p in postings], ordered=True, session=session)
        await self.balance.bump(postings, session)
        await self.pages.move_totals(postings, session)

    async def append(self, entries: Sequence[Entry], session: Session) -> None:
        """Write entries whose account change the caller has written."""
        if entries:
            await self.entries.insert_many([entry_doc(e) for e in entries], ordered=True, session=session)

    async def move_money(
        self,
        household_id: str,
        cents: int,
        entries: Sequence[Entry],
        session: Session,
        *,
        upsert: bool = False,
        savings: SavingsChoice | None = None,
    ) -> None:
        """Move the household's money by ``cents`` with its entries (and set its saving
        choice, when given); a new money version either way, so two changes of one
        household's money meet as a write conflict."""
        update: Document = {"$inc": {"money_cents": cents, "money_version": 1}}
        if savings is not None:
            update["$set"] = {"savings": _savings_doc(savings)}
            update["$inc"]["savings_version"] = 1
        await self.accounts.update_one({"_id": household_id}, update, upsert=upsert, session=session)
        await self.append(entries, session)
        await self.balance.refresh([household_id], session)

    async def choice_versions(self, household_id: str, session: Session) -> tuple[int, int]:
        """The versions of the household's savings and charity choices (0: never set)."""
        doc = await self.accounts.find_one(
            {"_id": household_id}, {"savings_version": 1, "charity_version": 1}, session=session
        )
        return (doc or {}).get("savings_version", 0), (doc or {}).get("charity_version", 0)

    async def open_account(self, household_id: str, session: Session) -> None:
        """The household's account, created empty if it is new."""
        await self.accounts.update_one(
            {"_id": household_id}, {"$setOnInsert": {"points": 0, "kind": "household"}}, upsert=True, session=session
        )

    async def set_charity(
        self, household_id: str, choice: CharityChoice | None, since: datetime, session: Session
    ) -> None:
        """The main holder's charity choice (None: no charity), from the next month end on."""
        doc: Document | None = None
        if choice is not None:
            doc = {"charity_id": choice.charity_id, "max_thousands": choice.max_thousands, "since": since}
        await self.accounts.update_one(
            {"_id": household_id},
            {"$set": {"charity": doc}, "$inc": {"charity_version": 1}},
            upsert=True,
            session=session,
        )
        await self.balance.refresh([household_id], session)

    async def end_savings_due(self, now: datetime) -> None:
        """Saving whose release date has come is over; later payouts go straight to the till."""
        await self.accounts.update_many(
            {"savings.on": True, "savings.release_at": {"$lte": now}},
            {"$set": {"savings": {"on": False}}, "$inc": {"savings_version": 1}},
        )
        await self.balance.end_savings_due(now)

    async def households_to_close(self, month: str, batch_size: int) -> AsyncGenerator[str, None]:
        """Ids of households whose ``month`` is not closed yet, in id order."""
        cursor = self.accounts.find(
            {"kind": {"$ne": "card"}, "last_closed_month": {"$not": {"$gte": month}}}, {"_id": 1}
        ).sort([("_id", ASCENDING)])
        try:
            async for doc in cursor.batch_size(batch_size):
                yield doc["_id"]
        finally:
            await cursor.close()

    async def open_for_closing(
        self, ids: Sequence[str], month: str, session: Session
    ) -> list[tuple[AccountState, list[OpenMonth]]]:
        """The households of ``ids`` still open for ``month``, with their open months up to it."""
        accounts = await self.accounts.find(
            {"_id": {"$in": list(ids)}, "last_closed_month": {"$not": {"$gte": month}}},
            _CLOSING_ACCOUNT,
            session=session,
        ).to_list()
        if not accounts:
            return []
        docs = await self.months.find(open_months(accounts, up_to=month), _CLOSING_MONTH, session=session).to_list()
        by_household: dict[str, list[OpenMonth]] = {}
        for doc in docs:
            by_household.setdefault(doc["household_id"], []).append(_open_month(doc))
        return [(_account_state(a), by_household.get(a["_id"], [])) for a in accounts]

    async def close(self, month: str, closings: Sequence[Closing], session: Session) -> None:
        """Write closed months: statements, entries, lots, accounts (whose last closed month
        closes the household's months up to it: ``open_months``)."""
        if not closings:
            return
        await self.statements.insert_many([statement_doc(c) for c in closings], ordered=False, session=session)
        entries = [entry_doc(e) for c in closings for e in c.entries()]
        if entries:
            await self.entries.insert_many(entries, ordered=False, session=session)
        lots = [lot_doc(c) for c in closings if c.statement.payout_cents]
        if lots:
            await self.lots.insert_many(lots, ordered=False, session=session)
        await self.accounts.bulk_write([_closed_account(c) for c in closings], ordered=False, session=session)
        await self.balance.close_months(closings, lots, session)

    async def move_card_account(
        self, card_id: str, household_id: str, person_id: str | None, at: datetime, session: Session
    ) -> int | None:
        """Move what an unlinked card's account collected (points, open months) to the
        household, with an adjustment entry on both; return the points moved (None:
        the card has no account of its own, or it was moved before)."""
        source_id = card_account(card_id)
        source = await self.accounts.find_one({"_id": source_id, "moved_to": {"$exists": False}}, session=session)
        if source is None:
            return None
        target = await self.accounts.find_one({"_id": household_id}, {"last_closed_month": 1}, session=session) or {}
        # A card's account is never closed at month end: its months are open until moved, once.
        for doc in await self.months.find({"household_id": source_id}, session=session).to_list():
            month = accounting_month(doc["month"], target.get("last_closed_month"))
            await self.months.update_one(
                *_moved_month(doc, household_id, person_id, month), upsert=True, session=session
            )
        await self.months.update_many(
            {"household_id": source_id}, {"$set": {"moved_to": household_id}}, session=session
        )
        points = int(source.get("points", 0))
        await self.accounts.update_one(
            {"_id": source_id}, {"$set": {"points": 0, "moved_to": household_id}}, session=session
        )
        await self.accounts.update_one(
            {"_id": household_id}, {"$inc": {"points": points}}, upsert=True, session=session
        )
        await self.append(adjustments(card_id, household_id, person_id, points, at), session)
        await self.balance.refresh([household_id], session)
        return points


def _month_update(posting: Posting) -> tuple[Document, Document]:
    """The filter and upsert of a household month moved by one entry (the household's
    figures and the person's share of them)."""
    inc = dict(posting.figures)
    person_id = posting.entry.person_id
    if person_id is not None:
        key = person_key(person_id)
        inc[f"persons.{key}.points"] = posting.entry.points
        inc[f"persons.{key}.spend_cents"] = posting.spend_cents
    return (
        {"_id": month_key(posting.account_id, posting.month)},
        {"$inc": inc, "$setOnInsert": {"household_id": posting.account_id, "month": posting.month}},
    )


def _savings_doc(savings: SavingsChoice) -> Document:
    if not savings.on:
        return {"on": False}
    assert savings.release_on is not None
    return {
        "on": True,
        "release_on": savings.release_on.isoformat(),
        "release_at": savings.release_at,
        "amount_cents": savings.amount_cents,
    }


def _moved_month(doc: Document, household_id: str, person_id: str | None, month: str) -> tuple[Document, Document]:
    inc = {name: doc[name] for name in MONTH_FIGURES if doc.get(name)}
    if person_id is not None:
        points = doc.get("base_points", 0) + doc.get("mastercard_points", 0) - doc.get("reversed_points", 0)
        inc[f"persons.{person_key(person_id)}.points"] = points + doc.get("campaign_points", 0)
        inc[f"persons.{person_key(person_id)}.spend_cents"] = doc.get("purchase_cents", 0)
    return (
        {"_id": month_key(household_id, month)},
        {"$inc": inc, "$setOnInsert": {"household_id": household_id, "month": month}},
    )


def _open_month(doc: Document) -> OpenMonth:
    activity = MonthActivity(
        month=doc["month"],
        base_points=doc.get("base_points", 0),
        mastercard_points=doc.get("mastercard_points", 0),
        reversed_points=doc.get("reversed_points", 0),
        campaign_points=doc.get("campaign_points", 0),
        grocery_cents=doc.get("grocery_cents", 0),
    )
    return OpenMonth(activity, status_spend(doc))


def _account_state(doc: Document) -> AccountState:
    charity = doc.get("charity")
    savings = doc.get("savings") or {}
    return AccountState(
        household_id=doc["_id"],
        carry_points=doc.get("carry_points", 0),
        status=doc.get("status", "regular"),
        spend_by_month=doc.get("spend_by_month", {}),
        charity=CharityChoice(charity.get("charity_id"), charity.get("max_thousands")) if charity else None,
        saving_until=savings.get("release_at") if savings.get("on") else None,
        saving_cents=savings.get("amount_cents") if savings.get("on") else None,
    )


def _closed_account(c: Closing) -> UpdateOne:
    update: dict[str, Any] = {
        "$set": {
            "last_closed_month": c.month,
            "carry_points": c.statement.carried_out,
            "status": c.status,
            **{f"spend_by_month.{m}": cents for m, cents in c.closed_spend.items()},
        },
        "$inc": {"points": c.points_change, "money_cents": c.statement.payout_cents},
    }
    if c.dropped_months:
        update["$unset"] = {f"spend_by_month.{m}": "" for m in c.dropped_months}
    return UpdateOne({"_id": c.household_id}, update)


def status_spend(month: Document) -> int:
    """What a month counts towards Best Customer: its eligible spend; a month projected
    before eligible spend was kept falls back to all of its purchases."""
    if "eligible_cents" in month:
        return int(month["eligible_cents"])
    return int(month.get("purchase_cents", 0))
