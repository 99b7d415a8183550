"""Typed mappers between the points service's documents and its domain objects."""

from typing import Any

from plussa_points.domain.access import Card, Member
from plussa_points.domain.earning import Line
from plussa_points.domain.ingest import NewGrant, NewPurchase, NewReturn, RecordedPurchase, Seen
from plussa_points.domain.ledger import Entry
from plussa_points.domain.lots import Lot
from plussa_points.domain.till import Spend, lot_parts
from plussa_points.store.collections import MEMBERS_LIST, person_key
from plussa_shared.mongo import Document


def card_from(doc: Document) -> Card:
    """A card document as the domain sees it."""
    return Card(
        card_id=doc["_id"],
        kind=doc["kind"],
        state=doc["state"],
        household_id=doc.get("household_id"),
        person_id=doc.get("person_id"),
        can_earn=bool(doc["can_earn"]),
        can_spend=bool(doc["can_spend"]),
    )


def member_from(doc: Document) -> Member:
    """A membership document as the domain sees it."""
    return Member(
        household_id=doc["household_id"],
        person_id=doc["person_id"],
        role=doc["role"],
        can_use_money=bool(doc.get("can_use_money", False)),
        active=bool(doc.get("active", True)),
    )


def listed_member(doc: Document, household_id: str, person_id: str) -> Member | None:
    """The person's active membership as the household's balance document lists it, or None."""
    entry = doc[MEMBERS_LIST].get(person_key(person_id))
    if entry is None or entry["person_id"] != person_id:
        return None
    return Member(household_id, person_id, entry["role"], entry["can_use_money"])


def lot_from(doc: Document) -> Lot:
    """A lot document as the domain sees it."""
    return Lot(
        lot_id=doc["_id"],
        paid_at=doc["paid_at"],
        expires_at=doc["expires_at"],
        remaining_cents=doc["remaining_cents"],
        saved_until=doc.get("saved_until"),
        saved_cents=doc.get("saved_cents"),
    )


def entry_doc(entry: Entry) -> Document:
    """One append-only ledger entry. ``points`` sum to the account's points, ``cents`` to its money.
    An entry of the household's alone (month end's, most money entries) has no ``person_id``
    field, so the sparse index of persons' entries leaves it out."""
    doc: Document = {"_id": entry.entry_id, "household_id": entry.household_id}
    if entry.person_id is not None:
        doc["person_id"] = entry.person_id
    doc |= {
        "reason": entry.reason,
        "month": entry.month,
        "points": entry.points,
        "cents": entry.cents,
        "reference": entry.reference,
        "at": entry.at,
    }
    if entry.details:
        doc["details"] = dict(entry.details)
    return doc


def seen_from(doc: Document, points_field: str = "points") -> Seen:
    """A purchase, return or grant recorded before, as duplicate detection sees it."""
    return Seen(doc["fingerprint"], doc["month"], doc[points_field])


def purchase_doc(purchase: NewPurchase, recorded_at: Any) -> Document:
    """A purchase with its lines and their points."""
    earning, scored = purchase.earning, purchase.earning.scored
    return {
        "_id": purchase.purchase_id,
        "fingerprint": purchase.fingerprint,
        "household_id": earning.account_id,
        "person_id": earning.card.person_id,
        "card_id": earning.card.card_id,
        "store_id": purchase.store_id,
        "store_name": purchase.store_name,
        "chain": purchase.chain,
        "occurred_at": purchase.occurred_at,
        "month": purchase.month,
        "mastercard": earning.mastercard,
        "total_cents": purchase.total_cents,
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
            for x, s in zip(purchase.lines, scored.lines, strict=True)
        ],
        "recorded_at": recorded_at,
    }


def recorded_purchase_from(doc: Document) -> RecordedPurchase:
    """A recorded purchase with what remains of its lines."""
    return RecordedPurchase(
        purchase_id=doc["_id"],
        household_id=doc["household_id"],
        person_id=doc.get("person_id"),
        mastercard=doc["mastercard"],
        remaining=tuple(
            Line(
                x["line_id"],
                x["category"],
                x["quantity"] - x["returned_quantity"],
                x["amount_cents"] - x["returned_cents"],
            )
            for x in doc["lines"]
        ),
    )


def return_doc(ret: NewReturn) -> Document:
    """A return as recorded."""
    return {
        "_id": ret.return_id,
        "fingerprint": ret.fingerprint,
        "purchase_id": ret.purchase.purchase_id,
        "household_id": ret.purchase.household_id,
        "person_id": ret.purchase.person_id,
        "month": ret.month,
        "occurred_at": ret.occurred_at,
        "returned_cents": ret.outcome.returned_cents,
        "points_reversed": ret.outcome.points,
        "points_by_line": ret.outcome.points_by_line,
    }


def grant_doc(grant: NewGrant) -> Document:
    """Campaign points as recorded."""
    return {
        "_id": grant.grant_id,
        "fingerprint": grant.fingerprint,
        "household_id": grant.household_id,
        "person_id": grant.person_id,
        "offer_id": grant.offer_id,
        "purchase_id": grant.purchase_id,
        "points": grant.points,
        "month": grant.month,
        "occurred_at": grant.occurred_at,
    }


def spend_doc(spend: Spend) -> Document:
    """A till spend as recorded."""
    return {
        "_id": spend.till_transaction_id,
        "household_id": spend.household_id,
        "person_id": spend.person_id,
        "card_id": spend.card_id,
        "card_number": spend.card_number,
        "requested_cents": spend.requested_cents,
        "spent_cents": spend.spent_cents,
        "remaining_cents": spend.remaining_cents,
        "lots": lot_parts(spend.lots),
        "state": spend.state,
        "at": spend.at,
    }


def spend_from(doc: Document) -> Spend:
    """A recorded till spend."""
    return Spend(
        till_transaction_id=doc["_id"],
        household_id=doc["household_id"],
        person_id=doc.get("person_id"),
        card_id=doc["card_id"],
        card_number=doc["card_number"],
        requested_cents=doc["requested_cents"],
        spent_cents=doc["spent_cents"],
        remaining_cents=doc["remaining_cents"],
        lots=tuple((p["lot_id"], p["cents"]) for p in doc["lots"]),
        at=doc["at"],
        state=doc["state"],
        cancelled_at=doc.get("cancelled_at"),
    )
