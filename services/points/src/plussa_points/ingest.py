"""Use cases of purchases, returns and campaign points: each is applied in the caller's
transaction (the consumer's, or the HTTP handler's unit of work)."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument, UpdateOne

from plussa_points.context import Points
from plussa_points.domain.access import Card, require_earning
from plussa_points.domain.calendar import accounting_month, month_of
from plussa_points.domain.earning import Line, ReturnedLine, Score, apply_return, mastercard_applies, score
from plussa_points.domain.errors import (
    DuplicateIdConflictError,
    InvalidPurchaseError,
    UnknownCardError,
    UnknownMemberError,
    UnknownPurchaseError,
)
from plussa_points.domain.validation import LineFigures, check_purchase, check_return
from plussa_points.events.consumed import CampaignPointsGranted, PurchaseCompleted, PurchaseReturned
from plussa_points.events.published import (
    PointsEarned,
    PointsReversed,
    PurchaseRecorded,
    PurchaseReturnRecorded,
)
from plussa_points.store import ledger_entry, month_key, person_key
from plussa_shared.events import CloudEvent
from plussa_shared.mongo import Document, Session


@dataclass(frozen=True)
class Recorded:
    """What ingest did with a purchase, return or grant."""

    reference: str
    month: str
    points: int
    duplicate: bool = False


def fingerprint(model: Any) -> str:
    """A digest of the content, to tell a true duplicate from an id reused for something else."""
    return hashlib.sha256(model.model_dump_json().encode()).hexdigest()


def _month_update(
    account_id: str,
    person_id: str | None,
    month: str,
    *,
    points: int,
    spend_cents: int,
    household_inc: dict[str, int],
) -> tuple[Document, Document]:
    """The filter and upsert of a household month moved by one ledger entry (the
    household's figures and the person's share of them)."""
    inc = dict(household_inc)
    if person_id is not None:
        key = person_key(person_id)
        inc[f"persons.{key}.points"] = points
        inc[f"persons.{key}.spend_cents"] = spend_cents
    return (
        {"_id": month_key(account_id, month)},
        {"$inc": inc, "$setOnInsert": {"household_id": account_id, "month": month, "closed": False}},
    )


def _account_update(account_id: str, points: int) -> Document:
    return {
        "$inc": {"points": points},
        "$setOnInsert": {"kind": "card" if account_id.startswith("card:") else "household"},
    }


async def _post(
    pts: Points,
    session: Session,
    *,
    account_id: str,
    person_id: str | None,
    at: datetime,
    points: int,
    spend_cents: int,
    household_inc: dict[str, int],
) -> str:
    """Move the projections of one ledger entry (account points, the household's month
    and the person's share of it) and return the month the entry counts in."""
    s = pts.store
    before = await s.accounts.find_one_and_update(
        {"_id": account_id},
        _account_update(account_id, points),
        projection={"last_closed_month": 1},
        upsert=True,
        return_document=ReturnDocument.BEFORE,
        session=session,
    )
    month = accounting_month(month_of(at, pts.rules.zone), (before or {}).get("last_closed_month"))
    month_filter, month_change = _month_update(
        account_id, person_id, month, points=points, spend_cents=spend_cents, household_inc=household_inc
    )
    await s.household_months.update_one(month_filter, month_change, upsert=True, session=session)
    return month


@dataclass(frozen=True)
class _Earned:
    """A new purchase scored against its card: what it earns and for which account."""

    data: PurchaseCompleted
    digest: str
    card: Card
    account_id: str
    mastercard: bool
    scored: Score

    @property
    def household_inc(self) -> dict[str, int]:
        return {
            "base_points": self.scored.base_points,
            "mastercard_points": self.scored.mastercard_points,
            "grocery_cents": self.scored.grocery_cents,
            "purchase_cents": self.data.total_cents,
            "purchases": 1,
        }


def _check_and_digest(pts: Points, data: PurchaseCompleted) -> str:
    check_purchase(
        pts.rules, [LineFigures(x.line_id, x.quantity, x.amount_cents) for x in data.lines], data.total_cents
    )
    return fingerprint(data)


def _payment_token(data: PurchaseCompleted) -> str | None:
    return data.payment.network_token if data.payment.method == "payment_card" else None


def _duplicate(data: PurchaseCompleted, digest: str, existing: Document) -> Recorded:
    if existing["fingerprint"] != digest:
        raise DuplicateIdConflictError("The purchase id was already used for another purchase")
    return Recorded(data.purchase_id, existing["month"], existing["points"], duplicate=True)


def _earn(pts: Points, data: PurchaseCompleted, digest: str, card: Card | None, paid_with_mastercard: bool) -> _Earned:
    if card is None:
        raise UnknownCardError("No card with this number is known")
    account_id = require_earning(card)
    rules = pts.rules
    mastercard = mastercard_applies(rules, paid_with_mastercard, data.occurred_at.astimezone(rules.zone).date())
    scored = score(
        rules, [Line(x.line_id, x.category, x.quantity, x.amount_cents) for x in data.lines], mastercard=mastercard
    )
    return _Earned(data, digest, card, account_id, mastercard, scored)


def _purchase_doc(earned: _Earned, month: str, now: datetime) -> Document:
    data, scored, card = earned.data, earned.scored, earned.card
    return {
        "_id": data.purchase_id,
        "fingerprint": earned.digest,
        "household_id": earned.account_id,
        "person_id": card.person_id,
        "card_id": card.card_id,
        "store_id": data.store_id,
        "store_name": data.store_name,
        "chain": data.chain,
        "occurred_at": data.occurred_at,
        "month": month,
        "mastercard": earned.mastercard,
        "total_cents": data.total_cents,
        "eligible_cents": scored.eligible_cents,
        "grocery_cents": scored.grocery_cents,
        "base_points": scored.base_points,
        "mastercard_points": scored.mastercard_points,
        "points": scored.points,
        "points_reversed": 0,
        "lines": [
            {
                "line_id": x.line_id,
                "product_id": x.product_id,
                "name": x.name,
                "category": x.category,
                "quantity": x.quantity,
                "amount_cents": x.amount_cents,
                "eligible": s.eligible,
                "points": s.points,
                "returned_quantity": 0,
                "returned_cents": 0,
            }
            for x, s in zip(data.lines, scored.lines, strict=True)
        ],
        "recorded_at": now,
    }


def _purchase_ledger_entry(earned: _Earned, month: str) -> Document:
    data, scored = earned.data, earned.scored
    return ledger_entry(
        f"purchase:{data.purchase_id}",
        household_id=earned.account_id,
        person_id=earned.card.person_id,
        reason="purchase",
        at=data.occurred_at,
        month=month,
        points=scored.points,
        reference=data.purchase_id,
        base_points=scored.base_points,
        mastercard_points=scored.mastercard_points,
    )


def _purchase_events(pts: Points, earned: _Earned, month: str) -> list[CloudEvent[Any]]:
    data, scored, card, account_id = earned.data, earned.scored, earned.card, earned.account_id
    events = [
        pts.event(
            PurchaseRecorded(
                purchase_id=data.purchase_id,
                household_id=account_id,
                person_id=card.person_id,
                card_id=card.card_id,
                store_id=data.store_id,
                chain=data.chain,
                month=month,
                total_cents=data.total_cents,
                eligible_cents=scored.eligible_cents,
                points=scored.points,
                occurred_at=data.occurred_at,
            ),
            account_id,
        )
    ]
    if scored.points:
        events.append(
            pts.event(
                PointsEarned(
                    household_id=account_id,
                    person_id=card.person_id,
                    reason="purchase",
                    reference=data.purchase_id,
                    month=month,
                    points=scored.points,
                    occurred_at=data.occurred_at,
                ),
                account_id,
            )
        )
    return events


async def record_purchase(pts: Points, data: PurchaseCompleted, session: Session) -> Recorded:
    """Record a completed purchase and credit its points, once per purchase id."""
    digest = _check_and_digest(pts, data)
    card, existing, paid_with_mastercard = await pts.store.purchase_context(
        data.card_number, data.purchase_id, _payment_token(data), session
    )
    if existing is not None:
        return _duplicate(data, digest, existing)
    earned = _earn(pts, data, digest, card, paid_with_mastercard)
    month = await _post(
        pts,
        session,
        account_id=earned.account_id,
        person_id=earned.card.person_id,
        at=data.occurred_at,
        points=earned.scored.points,
        spend_cents=data.total_cents,
        household_inc=earned.household_inc,
    )
    await pts.store.purchases.insert_one(_purchase_doc(earned, month, pts.clock()), session=session)
    await pts.store.ledger.insert_one(_purchase_ledger_entry(earned, month), session=session)
    await pts.outbox.add(session, _purchase_events(pts, earned, month))
    return Recorded(data.purchase_id, month, earned.scored.points)


async def record_purchases(pts: Points, purchases: Sequence[PurchaseCompleted], session: Session) -> list[Recorded]:
    """Record several completed purchases at once, with the same outcome as recording
    them one after the other with ``record_purchase``: a few reads for them all, then
    one write per collection. Raises as soon as one of them cannot be recorded."""
    digests = [_check_and_digest(pts, data) for data in purchases]
    context = await pts.store.purchases_context(
        [d.card_number for d in purchases],
        [d.purchase_id for d in purchases],
        [t for t in map(_payment_token, purchases) if t is not None],
        session,
    )
    existing = dict(context.existing)
    last_closed = dict(context.last_closed_month)
    recorded: list[Recorded] = []
    accounts: list[UpdateOne] = []
    months: list[UpdateOne] = []
    purchase_docs: list[Document] = []
    ledger_docs: list[Document] = []
    events: list[CloudEvent[Any]] = []
    now = pts.clock()
    for data, digest in zip(purchases, digests, strict=True):
        if data.purchase_id in existing:
            recorded.append(_duplicate(data, digest, existing[data.purchase_id]))
            continue
        token = _payment_token(data)
        earned = _earn(pts, data, digest, context.cards.get(data.card_number), token in context.mastercard_tokens)
        if earned.account_id not in last_closed:
            last_closed[earned.account_id] = await pts.store.last_closed_month(earned.account_id, session)
        month = accounting_month(month_of(data.occurred_at, pts.rules.zone), last_closed[earned.account_id])
        points = earned.scored.points
        accounts.append(UpdateOne({"_id": earned.account_id}, _account_update(earned.account_id, points), upsert=True))
        month_filter, month_change = _month_update(
            earned.account_id,
            earned.card.person_id,
            month,
            points=points,
            spend_cents=data.total_cents,
            household_inc=earned.household_inc,
        )
        months.append(UpdateOne(month_filter, month_change, upsert=True))
        purchase_docs.append(_purchase_doc(earned, month, now))
        ledger_docs.append(_purchase_ledger_entry(earned, month))
        events.extend(_purchase_events(pts, earned, month))
        existing[data.purchase_id] = {"fingerprint": digest, "month": month, "points": points}
        recorded.append(Recorded(data.purchase_id, month, points))
    if purchase_docs:
        store = pts.store
        await store.accounts.bulk_write(accounts, ordered=True, session=session)
        await store.household_months.bulk_write(months, ordered=True, session=session)
        await store.purchases.insert_many(purchase_docs, ordered=True, session=session)
        await store.ledger.insert_many(ledger_docs, ordered=True, session=session)
        await pts.outbox.add(session, events)
    return recorded


def _remaining_lines(purchase: Document) -> list[Line]:
    return [
        Line(
            x["line_id"],
            x["category"],
            x["quantity"] - x["returned_quantity"],
            x["amount_cents"] - x["returned_cents"],
        )
        for x in purchase["lines"]
    ]


async def record_return(pts: Points, data: PurchaseReturned, session: Session) -> Recorded:
    """Take returned lines off a purchase and reverse their points, in the month of the return."""
    check_return(pts.rules, [LineFigures(x.line_id, x.quantity, x.amount_cents) for x in data.lines])
    digest = fingerprint(data)
    existing = await pts.store.returns.find_one({"_id": data.return_id}, session=session)
    if existing is not None:
        if existing["fingerprint"] != digest:
            raise DuplicateIdConflictError("The return id was already used for another return")
        return Recorded(data.return_id, existing["month"], existing["points_reversed"], duplicate=True)
    purchase = await pts.store.purchases.find_one({"_id": data.purchase_id}, session=session)
    if purchase is None:
        raise UnknownPurchaseError("No purchase with this id is known")
    outcome = apply_return(
        pts.rules,
        _remaining_lines(purchase),
        [ReturnedLine(x.line_id, x.quantity, x.amount_cents) for x in data.lines],
        mastercard=purchase["mastercard"],
    )
    account_id, person_id = purchase["household_id"], purchase.get("person_id")
    month = await _post(
        pts,
        session,
        account_id=account_id,
        person_id=person_id,
        at=data.occurred_at,
        points=-outcome.points,
        spend_cents=-outcome.returned_cents,
        household_inc={
            "reversed_points": outcome.points,
            "grocery_cents": -outcome.grocery_cents,
            "purchase_cents": -outcome.returned_cents,
        },
    )
    returned = {x.line_id: x for x in data.lines}
    lines = []
    for line in purchase["lines"]:
        item = returned.get(line["line_id"])
        if item is not None:
            line = {
                **line,
                "returned_quantity": line["returned_quantity"] + item.quantity,
                "returned_cents": line["returned_cents"] + item.amount_cents,
            }
        lines.append(line)
    await pts.store.purchases.update_one(
        {"_id": data.purchase_id},
        {"$set": {"lines": lines}, "$inc": {"points_reversed": outcome.points}},
        session=session,
    )
    await pts.store.returns.insert_one(
        {
            "_id": data.return_id,
            "fingerprint": digest,
            "purchase_id": data.purchase_id,
            "household_id": account_id,
            "person_id": person_id,
            "month": month,
            "occurred_at": data.occurred_at,
            "returned_cents": outcome.returned_cents,
            "points_reversed": outcome.points,
            "points_by_line": outcome.points_by_line,
        },
        session=session,
    )
    await pts.store.ledger.insert_one(
        ledger_entry(
            f"return:{data.return_id}",
            household_id=account_id,
            person_id=person_id,
            reason="return",
            at=data.occurred_at,
            month=month,
            points=-outcome.points,
            reference=data.purchase_id,
            return_id=data.return_id,
        ),
        session=session,
    )
    events = [
        pts.event(
            PurchaseReturnRecorded(
                return_id=data.return_id,
                purchase_id=data.purchase_id,
                household_id=account_id,
                person_id=person_id,
                month=month,
                returned_cents=outcome.returned_cents,
                points_reversed=outcome.points,
                occurred_at=data.occurred_at,
            ),
            account_id,
        )
    ]
    if outcome.points:
        events.append(
            pts.event(
                PointsReversed(
                    household_id=account_id,
                    person_id=person_id,
                    return_id=data.return_id,
                    purchase_id=data.purchase_id,
                    month=month,
                    points=outcome.points,
                    occurred_at=data.occurred_at,
                ),
                account_id,
            )
        )
    await pts.outbox.add(session, events)
    return Recorded(data.return_id, month, outcome.points)


async def record_campaign_points(pts: Points, data: CampaignPointsGranted, session: Session) -> Recorded:
    """Credit an offer's campaign points on their own line, once per grant."""
    if not 0 < data.points <= pts.rules.max_campaign_points:
        raise InvalidPurchaseError("Campaign points must be positive and within the limit", field="points")
    digest = fingerprint(data)
    existing = await pts.store.grants.find_one({"_id": data.grant_id}, session=session)
    if existing is not None:
        if existing["fingerprint"] != digest:
            raise DuplicateIdConflictError("The grant id was already used for another grant")
        return Recorded(data.grant_id, existing["month"], existing["points"], duplicate=True)
    member = await pts.store.member(data.household_id, data.person_id, session)
    if member is None:
        raise UnknownMemberError("The household member is not known")
    month = await _post(
        pts,
        session,
        account_id=data.household_id,
        person_id=data.person_id,
        at=data.occurred_at,
        points=data.points,
        spend_cents=0,
        household_inc={"campaign_points": data.points},
    )
    await pts.store.grants.insert_one(
        {
            "_id": data.grant_id,
            "fingerprint": digest,
            "household_id": data.household_id,
            "person_id": data.person_id,
            "offer_id": data.offer_id,
            "purchase_id": data.purchase_id,
            "points": data.points,
            "month": month,
            "occurred_at": data.occurred_at,
        },
        session=session,
    )
    await pts.store.ledger.insert_one(
        ledger_entry(
            f"campaign:{data.grant_id}",
            household_id=data.household_id,
            person_id=data.person_id,
            reason="campaign",
            at=data.occurred_at,
            month=month,
            points=data.points,
            reference=data.offer_id,
            grant_id=data.grant_id,
        ),
        session=session,
    )
    await pts.outbox.add(
        session,
        [
            pts.event(
                PointsEarned(
                    household_id=data.household_id,
                    person_id=data.person_id,
                    reason="campaign",
                    reference=data.grant_id,
                    month=month,
                    points=data.points,
                    occurred_at=data.occurred_at,
                ),
                data.household_id,
            )
        ],
    )
    return Recorded(data.grant_id, month, data.points)
