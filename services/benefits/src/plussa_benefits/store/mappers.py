"""Typed mappers between the domain's objects and their stored documents."""

import re
from datetime import UTC, datetime
from typing import Any, NamedTuple

from plussa_benefits.domain.features import PersonFeatures
from plussa_benefits.domain.offers import (
    Issuer,
    Offer,
    OfferState,
    OfferTerms,
    Qualification,
    Reward,
    RewardKind,
)
from plussa_benefits.domain.purchases import Line, Purchase
from plussa_benefits.domain.segments import Segment, parse_rule
from plussa_benefits.domain.sponsorship import Cause, Membership, MonthTotals, Programme
from plussa_benefits.domain.texts import Texts
from plussa_benefits.domain.wallet import HeldOffer, Redemption, Wallet
from plussa_shared.mongo import Document


def texts_from(raw: dict[str, str]) -> Texts:
    """Stored texts (always complete: they were checked on input)."""
    return Texts(fi=raw["fi"], sv=raw["sv"], en=raw["en"])


def terms_doc(terms: OfferTerms) -> Document:
    """An offer's terms as stored."""
    q = terms.qualification
    return {
        "title": terms.title.as_dict(),
        "description": terms.description.as_dict(),
        "valid_from": terms.valid_from,
        "valid_until": terms.valid_until,
        "qualification": {
            "product_ids": sorted(q.product_ids),
            "categories": sorted(q.categories),
            "min_spend_cents": q.min_spend_cents,
            "store_ids": sorted(q.store_ids),
            "chains": sorted(q.chains),
        },
        "reward": {"kind": terms.reward.kind.value, "amount": terms.reward.amount},
        "needs_activation": terms.needs_activation,
        "limit_per_person": terms.limit_per_person,
        "segment_id": terms.segment_id,
    }


def utc(at: datetime) -> datetime:
    """``at`` with the standard library's UTC: the driver gives back times with a tzinfo
    of its own, and comparing times of two tzinfo classes costs ten times as much as of
    one (every purchase compares each held offer's window with its time)."""
    return at.astimezone(UTC)


def terms_from(doc: Document) -> OfferTerms:
    """Stored terms back as the domain's."""
    q = doc["qualification"]
    return OfferTerms(
        title=texts_from(doc["title"]),
        description=texts_from(doc["description"]),
        valid_from=utc(doc["valid_from"]),
        valid_until=utc(doc["valid_until"]),
        qualification=Qualification(
            product_ids=frozenset(q["product_ids"]),
            categories=frozenset(q["categories"]),
            min_spend_cents=q["min_spend_cents"],
            store_ids=frozenset(q["store_ids"]),
            chains=frozenset(q["chains"]),
        ),
        reward=Reward(RewardKind(doc["reward"]["kind"]), doc["reward"]["amount"]),
        needs_activation=doc["needs_activation"],
        limit_per_person=doc["limit_per_person"],
        segment_id=doc["segment_id"],
    )


def offer_doc(offer: Offer) -> Document:
    """An offer as stored."""
    return {
        "_id": offer.offer_id,
        "issuer_kind": offer.issuer.kind,
        "issuer_id": offer.issuer.issuer_id,
        "state": offer.state.value,
        "version": offer.version,
        "terms": terms_doc(offer.terms),
        "valid_until": offer.terms.valid_until,
    }


def offer_from(doc: Document) -> Offer:
    """A stored offer."""
    return Offer(
        doc["_id"],
        Issuer(doc["issuer_kind"], doc["issuer_id"]),
        terms_from(doc["terms"]),
        OfferState(doc["state"]),
        doc["version"],
    )


def segment_doc(segment: Segment) -> Document:
    """A segment as stored: its rule as the JSON data it came in as."""
    return {
        "_id": segment.segment_id,
        "issuer_id": segment.issuer,
        "name": segment.name,
        "rule": segment.rule_data(),
        "version": segment.version,
    }


def segment_from(doc: Document) -> Segment:
    """A stored segment, its rule parsed again."""
    return Segment(doc["_id"], doc["issuer_id"], doc["name"], parse_rule(doc["rule"]), doc["version"])


def features_doc(person: PersonFeatures) -> Document:
    """A person's features as stored."""
    return {
        "_id": person.person_id,
        "household_id": person.household_id,
        "role": person.role,
        "language": person.language,
        "status": person.status,
        "category_spend": person.category_spend,
        "chain_spend": person.chain_spend,
        "purchase_counts": person.purchase_counts,
        # store ids may hold dots, which MongoDB field names should not
        "stores": [{"store_id": store, "month": month} for store, month in person.stores.items()],
    }


def features_from(doc: Document) -> PersonFeatures:
    """Stored features."""
    return PersonFeatures(
        doc["_id"],
        doc.get("household_id"),
        doc.get("role"),
        doc.get("language") or "fi",
        doc.get("status") or "regular",
        doc.get("category_spend") or {},
        doc.get("chain_spend") or {},
        doc.get("purchase_counts") or {},
        {visit["store_id"]: visit["month"] for visit in doc.get("stores") or []},
    )


def held_doc(held: HeldOffer) -> Document:
    """One offer in a wallet: what the person did with it. What the offer says comes from
    the catalogue, so a wallet stays small and an offer's change touches no wallet."""
    return {
        "offer_id": held.offer_id,
        "targeted_at": held.targeted_at,
        "score": held.score,
        "activated_at": held.activated_at,
        "redeemed": held.redeemed,
    }


class ShownOffer(NamedTuple):
    """What "my offers" shows of one held offer that is the person's own."""

    offer_id: str
    score: int
    activated: bool
    redeemed: int


def shown_doc(wallet: Wallet) -> list[str]:
    """A wallet's offers as "my offers" reads them, best first, each
    ``"<offer_id> <score> <activated 1|0> <redeemed>"`` (offer ids hold no space).

    Every write of a wallet's offers writes this beside them, in the same update, so the
    read decodes one short array of strings in its ranked order instead of a document
    per offer to rank. With 40 offers held, the driver's part of the read took a fifth
    less CPU and ``mongod``'s a seventh less, about what reading a one-field document
    costs."""
    return [f"{h.offer_id} {h.score} {0 if h.activated_at is None else 1} {h.redeemed}" for h in wallet.ranked()]


def shown_offer_id(entry: str) -> str:
    """The offer of a stored ``shown_doc`` entry."""
    return entry.partition(" ")[0]


def shown_offer(entry: str) -> ShownOffer:
    """A stored ``shown_doc`` entry."""
    offer_id, score, activated, redeemed = entry.split(" ")
    return ShownOffer(offer_id, int(score), activated == "1", int(redeemed))


def shown_entry_of(offer_id: str) -> Document:
    """A ``$pull`` condition for the entry of ``offer_id`` in ``shown_doc``."""
    return {"$regex": f"^{re.escape(offer_id)} "}


def wallet_doc(wallet: Wallet) -> Document:
    """A new wallet whole: its offers best first, and what "my offers" reads of them."""
    return {
        "_id": wallet.person_id,
        "household_id": wallet.household_id,
        "version": 1,
        "held": [held_doc(h) for h in wallet.ranked()],
        "shown": shown_doc(wallet),
    }


def wallet_from(doc: Document | None, person_id: str) -> Wallet:
    """A stored wallet (an empty one when the person has none yet)."""
    if doc is None:
        return Wallet(person_id)
    held: dict[str, HeldOffer] = {}
    stored: dict[str, tuple[int, int, datetime | None]] = {}
    for entry in doc.get("held", []):
        offer_id, score, redeemed, activated = (
            entry["offer_id"],
            entry["score"],
            entry["redeemed"],
            entry.get("activated_at"),
        )
        activated = utc(activated) if activated is not None else None
        held[offer_id] = HeldOffer(offer_id, entry.get("targeted_at"), score, activated, redeemed)
        stored[offer_id] = (score, redeemed, activated)
    return Wallet(doc["_id"], doc.get("household_id"), held, doc.get("version", 0), stored)


def wallet_changes(wallet: Wallet) -> tuple[Document, list[Document], list[str]]:
    """What changed in a stored wallet since it was read: the paths to set (by position,
    with the household), the offers added, and the ids of the offers dropped."""
    paths: Document = {"household_id": wallet.household_id}
    dropped: list[str] = []
    for position, (offer_id, before) in enumerate(wallet.stored.items()):
        held = wallet.held.get(offer_id)
        if held is None:
            dropped.append(offer_id)
            continue
        for name, old, new in zip(_HELD_CHANGING, before, (held.score, held.redeemed, held.activated_at), strict=True):
            if old != new:
                paths[f"held.{position}.{name}"] = new
    added = [held_doc(held) for offer_id, held in wallet.held.items() if offer_id not in wallet.stored]
    return paths, added, dropped


_HELD_CHANGING = ("score", "redeemed", "activated_at")


def lines_doc(lines: tuple[Line, ...]) -> list[Document]:
    """Purchase lines as stored (no product names)."""
    return [
        {"line_id": x.line_id, "product_id": x.product_id, "category": x.category, "amount_cents": x.amount_cents}
        for x in lines
    ]


def lines_from(docs: list[Document]) -> tuple[Line, ...]:
    """Stored lines."""
    return tuple(Line(d["line_id"], d["product_id"], d["category"], 1, d["amount_cents"]) for d in docs)


def purchase_doc(purchase: Purchase) -> Document:
    """A purchase as remembered: to apply it once and to reverse its effects on a return."""
    return {
        "_id": purchase.purchase_id,
        "person_id": purchase.person_id,
        "household_id": purchase.household_id,
        "store_id": purchase.store_id,
        "chain": purchase.chain,
        "occurred_at": purchase.occurred_at,
        "lines": lines_doc(purchase.lines),
        "returns": [],
    }


def purchase_from(doc: Document) -> Purchase:
    """A remembered purchase."""
    return Purchase(
        doc["_id"],
        doc["person_id"],
        doc["household_id"],
        doc["store_id"],
        doc["chain"],
        doc["occurred_at"],
        lines_from(doc["lines"]),
    )


def redemption_doc(redemption: Redemption, issuer_id: str) -> Document:
    """A redemption as stored."""
    return {
        "_id": redemption.redemption_id,
        "offer_id": redemption.offer_id,
        "issuer_id": issuer_id,
        "person_id": redemption.person_id,
        "household_id": redemption.household_id,
        "purchase_id": redemption.purchase_id,
        "reward_kind": redemption.reward_kind,
        "amount": redemption.amount,
        "reversed": 0,
        "lines": lines_doc(redemption.lines),
        "occurred_at": redemption.occurred_at,
    }


def redemption_from(doc: Document) -> Redemption:
    """A stored redemption as it stands now (what was reversed already taken off)."""
    return Redemption(
        doc["_id"],
        doc["offer_id"],
        doc["person_id"],
        doc["household_id"],
        doc["purchase_id"],
        doc["reward_kind"],
        doc["amount"] - doc["reversed"],
        lines_from(doc["lines"]),
        doc["occurred_at"],
    )


def programme_doc(programme: Programme) -> Document:
    """A store's programme as stored."""
    return {
        "_id": programme.store_id,
        "causes": [{"cause_id": c.cause_id, "name": c.name.as_dict()} for c in programme.causes],
        "share_basis_points": programme.share_basis_points,
        "active": programme.active,
        "version": programme.version,
    }


def programme_from(doc: Document | None) -> Programme | None:
    """A stored programme, if any."""
    if doc is None:
        return None
    causes = tuple(Cause(c["cause_id"], texts_from(c["name"])) for c in doc["causes"])
    return Programme(doc["_id"], causes, doc["share_basis_points"], doc["active"], doc["version"])


def membership_id(person_id: str, store_id: str) -> str:
    """One membership per person and store."""
    return f"{person_id}:{store_id}"


def membership_doc(membership: Membership) -> Document:
    """A membership as stored."""
    return {
        "_id": membership_id(membership.person_id, membership.store_id),
        "person_id": membership.person_id,
        "store_id": membership.store_id,
        "cause_id": membership.cause_id,
        "joined_at": membership.joined_at,
        "version": membership.version,
    }


def membership_from(doc: Document | None) -> Membership | None:
    """A stored membership, if any."""
    if doc is None:
        return None
    return Membership(doc["person_id"], doc["store_id"], doc["cause_id"], doc["joined_at"], doc["version"])


def totals_id(store_id: str, month: str) -> str:
    """One totals document per store and month."""
    return f"{store_id}:{month}"


def totals_from(doc: Document | None, store_id: str, month: str) -> MonthTotals:
    """A store's month of totals (empty when nothing accrued)."""
    if doc is None:
        return MonthTotals(store_id, month)
    closed: datetime | None = doc.get("closed_at")
    totals: dict[str, Any] = doc.get("totals") or {}
    return MonthTotals(store_id, month, {k: int(v) for k, v in totals.items()}, closed)
