"""The only code that touches the benefits service's collections."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, InsertOne, ReplaceOne, UpdateOne

from plussa_benefits.domain.features import PersonFeatures
from plussa_benefits.domain.offers import Offer
from plussa_benefits.domain.segments import Segment
from plussa_benefits.domain.wallet import HeldOffer, Wallet
from plussa_benefits.store import mappers as m
from plussa_shared.mongo import Database, Document, Session
from plussa_shared.paging import keyset_page
from plussa_shared.privacy import ERASED_HOLDERS, ErasedHolders, pseudonym, replace_ids

INDEXES: dict[str, Sequence[IndexModel]] = {
    "offers": [
        IndexModel([("issuer_id", ASCENDING), ("valid_until", DESCENDING), ("_id", DESCENDING)]),
        IndexModel([("state", ASCENDING), ("valid_until", ASCENDING)]),
    ],
    "segments": [IndexModel([("issuer_id", ASCENDING)])],
    "meta": [],
    "cards": [],
    "features": [IndexModel([("household_id", ASCENDING)])],
    "households": [],
    "wallets": [IndexModel([("held.offer_id", ASCENDING)])],
    "purchases": [],
    "redemptions": [
        IndexModel([("person_id", ASCENDING), ("occurred_at", DESCENDING), ("_id", DESCENDING)]),
        IndexModel([("purchase_id", ASCENDING)]),
    ],
    "programmes": [],
    "memberships": [IndexModel([("person_id", ASCENDING), ("store_id", ASCENDING), ("_id", ASCENDING)])],
    "accruals": [
        IndexModel([("person_id", ASCENDING), ("store_id", ASCENDING)]),
        IndexModel([("store_id", ASCENDING), ("month", DESCENDING), ("cause_id", ASCENDING)]),
        IndexModel([("month", ASCENDING)]),
    ],
    "month_totals": [],
    ERASED_HOLDERS: [],
}
CATALOGUE = "catalogue"


_JUDGED = {"held.targeted_at": 0, "shown": 0}
"""A wallet as judging reads it: all but when each offer was targeted (never rewritten)
and what "my offers" reads (made anew from the offers on every write)."""


class BenefitsStore:
    """Collections of offers, segments, people's features and wallets, redemptions and sponsorship."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.offers = db["offers"]
        self.segments = db["segments"]
        self.meta = db["meta"]
        self.cards = db["cards"]
        self.features = db["features"]
        self.households = db["households"]
        self.wallets = db["wallets"]
        self.purchases = db["purchases"]
        self.redemptions = db["redemptions"]
        self.programmes = db["programmes"]
        self.memberships = db["memberships"]
        self.accruals = db["accruals"]
        self.month_totals = db["month_totals"]
        self.erased_holders = ErasedHolders(db)

    # offers and segments

    async def offer(self, offer_id: str, s: Session) -> Offer | None:
        """An offer by id."""
        doc = await self.offers.find_one({"_id": offer_id}, session=s)
        return m.offer_from(doc) if doc else None

    async def issuer_offers(self, issuer_id: str, limit: int, cursor: str | None) -> tuple[list[Offer], str | None]:
        """A page of an issuer's offers, the latest ending first."""
        docs, next_cursor = await keyset_page(
            self.offers, {"issuer_id": issuer_id}, sort_key="valid_until", limit=limit, cursor=cursor
        )
        return [m.offer_from(doc) for doc in docs], next_cursor

    async def save_offer(self, offer: Offer, s: Session, *, new: bool = False) -> None:
        """Insert or replace an offer; every change moves the catalogue's version on."""
        if new:
            await self.offers.insert_one(m.offer_doc(offer), session=s)
        else:
            await self.offers.replace_one({"_id": offer.offer_id}, m.offer_doc(offer), session=s)
        await self._bump_catalogue(s)

    async def segment(self, segment_id: str, s: Session) -> Segment | None:
        """A segment by id."""
        doc = await self.segments.find_one({"_id": segment_id}, session=s)
        return m.segment_from(doc) if doc else None

    async def save_segment(self, segment: Segment, s: Session, *, new: bool = False) -> None:
        """Insert or replace a segment; the catalogue's version moves on."""
        if new:
            await self.segments.insert_one(m.segment_doc(segment), session=s)
        else:
            await self.segments.replace_one({"_id": segment.segment_id}, m.segment_doc(segment), session=s)
        await self._bump_catalogue(s)

    async def _bump_catalogue(self, s: Session) -> None:
        await self.meta.update_one({"_id": CATALOGUE}, {"$inc": {"version": 1}}, upsert=True, session=s)

    async def catalogue_version(self, s: Session | None) -> int:
        """The version of the offers and segments as a whole (for caches)."""
        doc = await self.meta.find_one({"_id": CATALOGUE}, session=s)
        return int(doc["version"]) if doc else 0

    async def open_offers(self, now: datetime, s: Session | None) -> list[Offer]:
        """Published offers that have not ended."""
        cursor = self.offers.find({"state": "published", "valid_until": {"$gt": now}}, session=s)
        return [m.offer_from(doc) async for doc in cursor]

    async def all_segments(self, s: Session | None) -> dict[str, Segment]:
        """Every segment by id."""
        return {doc["_id"]: m.segment_from(doc) async for doc in self.segments.find({}, session=s)}

    # people

    async def save_card(self, card: Document, s: Session) -> None:
        """Remember who holds a card (and its id, which an erasure remembers by digest),
        keeping only the newest version of it."""
        number = card["card_number"]
        doc = {
            "card_id": card["card_id"],
            "person_id": card.get("person_id"),
            "household_id": card.get("household_id"),
            "version": card["version"],
        }
        known = await self.cards.find_one({"_id": number}, {"version": 1}, session=s)
        if known is None:
            await self.cards.insert_one({"_id": number, **doc}, session=s)
        elif known["version"] < card["version"]:
            await self.cards.update_one({"_id": number}, {"$set": doc}, session=s)

    async def card_holders(self, numbers: Iterable[str], s: Session) -> dict[str, Document]:
        """Known cards by number: who holds each."""
        return {doc["_id"]: doc async for doc in self.cards.find({"_id": {"$in": list(set(numbers))}}, session=s)}

    async def features_of(self, person_ids: Iterable[str], s: Session | None) -> dict[str, PersonFeatures]:
        """People's features by person id (those known)."""
        found = self.features.find({"_id": {"$in": list(set(person_ids))}}, session=s)
        return {doc["_id"]: m.features_from(doc) async for doc in found}

    async def features_after(self, after: str | None, limit: int, s: Session) -> list[PersonFeatures]:
        """People's features in id order, a chunk at a time."""
        query: Document = {"_id": {"$gt": after}} if after else {}
        cursor = self.features.find(query, session=s).sort("_id", ASCENDING).limit(limit)
        return [m.features_from(doc) async for doc in cursor]

    async def save_features(self, people: Iterable[PersonFeatures], s: Session) -> None:
        """Write people's features."""
        ops = [ReplaceOne({"_id": p.person_id}, m.features_doc(p), upsert=True) for p in people]
        if ops:
            await self.features.bulk_write(ops, ordered=False, session=s)

    async def household_status(self, household_id: str, s: Session) -> str:
        """A household's Best Customer status as last heard."""
        doc = await self.households.find_one({"_id": household_id}, session=s)
        return str(doc["status"]) if doc else "regular"

    async def set_household_status(self, household_id: str, status: str, s: Session) -> None:
        """Record a household's status and give it to every member's features."""
        await self.households.update_one({"_id": household_id}, {"$set": {"status": status}}, upsert=True, session=s)
        await self.features.update_many({"household_id": household_id}, {"$set": {"status": status}}, session=s)

    # wallets

    async def wallets_of(self, person_ids: Iterable[str], s: Session | None) -> dict[str, Wallet]:
        """People's wallets by person id (empty wallets for those without one)."""
        ids = list(set(person_ids))
        query = {"_id": {"$in": ids}}
        found = {doc["_id"]: doc async for doc in self.wallets.find(query, _JUDGED, session=s)}
        return {pid: m.wallet_from(found.get(pid), pid) for pid in ids}

    async def shown_offers(self, person_id: str) -> list[str]:
        """A person's offers as "my offers" shows them, best first (``mappers.shown_doc``
        entries): one read of their wallet's ``shown`` array. A wallet last written
        before the array existed is read again whole and ranked here, until its next
        write stores it."""
        doc = await self.wallets.find_one({"_id": person_id}, {"shown": 1})
        if doc is None:
            return []
        if "shown" in doc:
            shown: list[str] = doc["shown"]
            return shown
        return m.shown_doc(m.wallet_from(await self.wallets.find_one({"_id": person_id}, _JUDGED), person_id))

    async def save_wallets(self, wallets: Iterable[Wallet], s: Session) -> None:
        """Write wallets read by ``wallets_of``: a new one whole, best offer first; a stored
        one by what changed (offers set in place, then added, then dropped), so its
        stored order is no longer the ranking (judging reads it by id, and "my offers"
        reads ``shown``, set anew in the first update)."""
        ops: list[Any] = []
        for w in wallets:
            order = list(w.held.values())  # as the stored array will be
            if not w.stored and not w.version:
                order = w.ranked()
                ops.append(ReplaceOne({"_id": w.person_id}, m.wallet_doc(w), upsert=True))
            else:
                paths, added, dropped = m.wallet_changes(w)
                paths["shown"] = m.shown_doc(w)
                ops.append(UpdateOne({"_id": w.person_id}, {"$set": paths, "$inc": {"version": 1}}))
                if added:
                    ops.append(UpdateOne({"_id": w.person_id}, {"$push": {"held": {"$each": added}}}))
                if dropped:
                    ops.append(UpdateOne({"_id": w.person_id}, {"$pull": {"held": {"offer_id": {"$in": dropped}}}}))
            w.version += 1
            w.stored = {h.offer_id: (h.score, h.redeemed, h.activated_at) for h in order}
        if ops:
            # in order: a wallet's positions hold until its offers are added and dropped
            await self.wallets.bulk_write(ops, ordered=True, session=s)

    async def add_held(self, additions: list[tuple[Wallet, HeldOffer]], s: Session) -> None:
        """Put one newly targeted offer into several wallets (each read by ``wallets_of``
        and holding it already)."""
        ops: list[Any] = []
        for wallet, held in additions:
            if wallet.version:
                change = {"$push": {"held": m.held_doc(held)}, "$set": {"shown": m.shown_doc(wallet)}}
                ops.append(UpdateOne({"_id": wallet.person_id}, {**change, "$inc": {"version": 1}}))
            else:
                ops.append(InsertOne(m.wallet_doc(wallet)))
        if ops:
            await self.wallets.bulk_write(ops, ordered=False, session=s)

    async def mark_activated(self, wallet: Wallet, offer_id: str, s: Session) -> None:
        """Record an activation made in ``wallet`` (read by ``wallets_of``)."""
        at = wallet.held[offer_id].activated_at
        await self.wallets.update_one(
            {"_id": wallet.person_id, "held.offer_id": offer_id},
            {"$set": {"held.$.activated_at": at, "shown": m.shown_doc(wallet)}, "$inc": {"version": 1}},
            session=s,
        )

    async def remove_held(self, offer_id: str, s: Session) -> None:
        """Take a withdrawn offer out of every wallet."""
        await self.wallets.update_many(
            {"held.offer_id": offer_id},
            {"$pull": {"held": {"offer_id": offer_id}, "shown": m.shown_entry_of(offer_id)}, "$inc": {"version": 1}},
            session=s,
        )

    # privacy

    async def person_data(self, person_id: str, s: Session) -> dict[str, Any]:
        """Everything held about a person, for their export."""
        query: Document = {"person_id": person_id}
        hidden = {"_id": 0}
        features = await self.features.find_one({"_id": person_id}, session=s)
        wallet = await self.wallets.find_one({"_id": person_id}, session=s)
        return {
            "features": _plain(features),
            "offers": (wallet or {}).get("held", []),
            "redemptions": [doc async for doc in self.redemptions.find(query, {"lines": 0}, session=s)],
            "purchases": [doc async for doc in self.purchases.find(query, hidden, session=s)],
            "sponsorships": [doc async for doc in self.db["memberships"].find(query, hidden, session=s)],
            "sponsorship_shares": [doc async for doc in self.db["accruals"].find(query, session=s)],
        }

    async def forget_card(self, card_id: str, card_number: str, person_id: str | None, s: Session) -> None:
        """Forget a card closed because its holder was erased, and that the card and the holder were."""
        await self.cards.delete_one({"_id": card_number}, session=s)
        await self.erased_holders.record(person_id, s, card_ids=[card_id])

    async def forget_household(self, household_id: str, s: Session) -> None:
        """The erased person's household was theirs alone: the redemptions and purchases kept
        name it by a pseudonym."""
        fields = {name: ["household_id"] for name in ("redemptions", "purchases", "accruals", "cards")}
        await replace_ids(self.db, s, {household_id: pseudonym()}, fields)

    async def erase_person(self, person_id: str, replacement: str, s: Session) -> None:
        """Delete what describes a person; keep their redemptions and shares without them."""
        await self.features.delete_one({"_id": person_id}, session=s)
        await self.wallets.delete_one({"_id": person_id}, session=s)
        await self.db["memberships"].delete_many({"person_id": person_id}, session=s)
        card_ids = await self.cards.distinct("card_id", {"person_id": person_id}, session=s)
        await self.cards.delete_many({"person_id": person_id}, session=s)
        await self.erased_holders.record(person_id, s, card_ids=card_ids)
        for collection in (self.redemptions, self.purchases, self.db["accruals"]):
            await collection.update_many({"person_id": person_id}, {"$set": {"person_id": replacement}}, session=s)


def _plain(doc: Document | None) -> Document:
    return {k: v for k, v in (doc or {}).items() if k != "_id"}
