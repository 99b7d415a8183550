"""Set-up of the benefits benchmarks: a private mongod, settings, the catalogue of 500
offers over 50 segments, 2,000 people in a steady state, and synthetic purchases."""

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from plussa_benefits.domain.features import PersonFeatures
from plussa_benefits.domain.offers import Issuer, Offer, OfferState, OfferTerms, Qualification, Reward, RewardKind
from plussa_benefits.domain.segments import Segment, parse_rule
from plussa_benefits.domain.texts import Texts
from plussa_benefits.domain.wallet import Catalogue, Wallet
from plussa_benefits.settings import BenefitsSettings
from plussa_benefits.store import mappers
from plussa_shared.testing import bench as shared_bench
from plussa_shared.testing.bus import envelope

PEOPLE = 2_000
OFFERS = 500
SEGMENTS = 50
CATEGORIES = ["grocery"] * 6 + ["alcohol", "home", "electronics", "fuel", "other"]
STORES = [f"store-{n}" for n in range(20)]
SKUS = 2_000
"""Products on sale: an offer names one, so a purchase meets few of a person's offers."""
ZONE_NOW = datetime.now(UTC)
HELSINKI = ZoneInfo("Europe/Helsinki")


async def bench_settings(mongo_url: str, jwks_url: str, **overrides: Any) -> BenefitsSettings:
    """Benefits' settings on a fresh database, exchange and queue names (exchanges declared)."""
    return await shared_bench.bench_settings(
        BenefitsSettings, mongo_url, jwks_url, **{"outbox_poll_interval_s": 0.02, **overrides}
    )


def card_number(i: int) -> str:
    return f"{6000_0000_0000_0000 + i:016d}"


def catalogue(rng: random.Random) -> tuple[list[Segment], list[Offer]]:
    """50 segments over spend, chains, stores and status; 500 offers over them."""
    segments = []
    for n in range(SEGMENTS):
        # Each segment is a store's shoppers of one category (or its Best Customers): a
        # person is in a few segments, so holds a few dozen of the 500 offers.
        spend = {"feature": "spend_cents", "months": 3, "category": rng.choice(CATEGORIES), "op": ">=", "value": 2_000}
        best = {"feature": "status", "op": "==", "value": "best_customer"}
        rule = {
            "all": [
                {"feature": "visited_store", "months": 6, "store_id": STORES[n % len(STORES)]},
                {"any": [spend, best]},
            ]
        }
        segments.append(Segment(f"seg-{n}", "k-citymarket", f"Segment {n}", parse_rule(rule)))
    offers = []
    for n in range(OFFERS):
        kind = rng.choice(list(RewardKind))
        amount = {RewardKind.CAMPAIGN_POINTS: 200, RewardKind.PERCENT: 500, RewardKind.EURO: 300}[kind]
        terms = OfferTerms(
            title=Texts(f"Tarjous {n}", f"Erbjudande {n}", f"Offer {n}"),
            description=Texts("Kuvaus", "Beskrivning", "Description"),
            valid_from=ZONE_NOW - timedelta(days=1),
            valid_until=ZONE_NOW + timedelta(days=30),
            qualification=Qualification(product_ids=frozenset({f"sku-{rng.randrange(SKUS)}"}), min_spend_cents=100),
            reward=Reward(kind, amount),
            needs_activation=rng.random() < 0.5,
            limit_per_person=3,
            segment_id=f"seg-{n % SEGMENTS}",
        )
        offers.append(Offer(f"off-{n}", Issuer("chain", "k-citymarket"), terms, OfferState.PUBLISHED, 2))
    return segments, offers


async def seed(
    db: Any, rng: random.Random, *, wallets_for: list[int] | None = None
) -> tuple[list[Segment], list[Offer]]:
    """Segments, offers, people with some history, their cards and a programme in every store."""
    segments, offers = catalogue(rng)
    await db["segments"].insert_many([mappers.segment_doc(s) for s in segments])
    await db["offers"].insert_many([mappers.offer_doc(o) for o in offers])
    await db["meta"].insert_one({"_id": "catalogue", "version": 1})
    await db["cards"].insert_many(
        [{"_id": card_number(i), "person_id": f"p{i}", "household_id": f"h{i}", "version": 1} for i in range(PEOPLE)]
    )
    people = []
    month = f"{ZONE_NOW.year:04d}-{ZONE_NOW.month:02d}"
    for i in range(PEOPLE):
        person = PersonFeatures(f"p{i}", f"h{i}", "main", rng.choice(["fi", "sv", "en"]))
        person.category_spend = {c: {month: rng.randrange(0, 30_000)} for c in rng.sample(CATEGORIES, 3)}
        person.chain_spend = {"k-citymarket": {month: 20_000}}
        person.stores = {rng.choice(STORES): month}
        people.append(person)
    await db["features"].insert_many([mappers.features_doc(p) for p in people])
    await db["programmes"].insert_many(
        [
            {
                "_id": s,
                "causes": [{"cause_id": "scouts", "name": {"fi": "P", "sv": "S", "en": "S"}}],
                "share_basis_points": 100,
                "active": True,
                "version": 1,
            }
            for s in STORES
        ]
    )
    await db["memberships"].insert_many(
        [
            {
                "_id": f"p{i}:{STORES[i % len(STORES)]}",
                "person_id": f"p{i}",
                "store_id": STORES[i % len(STORES)],
                "cause_id": "scouts",
                "joined_at": ZONE_NOW - timedelta(days=10),
                "version": 1,
            }
            for i in range(PEOPLE)
        ]
    )
    await _steady_wallets(db, people, segments, offers, wallets_for or [])
    return segments, offers


async def _steady_wallets(
    db: Any, people: list[PersonFeatures], segments: list[Segment], offers: list[Offer], wallets_for: list[int]
) -> None:
    """Steady state: every person already holds the offers of the segments they are in
    (the people in ``wallets_for`` hold the first 40 offers)."""
    catalogue_now = Catalogue(tuple(offers), {s.segment_id: s for s in segments})
    everyone = Segment("everyone", "k-citymarket", "Everyone", parse_rule({"everyone": True}))
    wallets = []
    for i, person in enumerate(people):
        wallet = Wallet(person.person_id, person.household_id)
        if i in (wallets_for):
            for offer in offers[:40]:
                wallet.consider(offer, everyone, person, ZONE_NOW, HELSINKI, 500)
        else:
            wallet.retarget(catalogue_now, person, ZONE_NOW, HELSINKI, 500)
        wallets.append(mappers.wallet_doc(wallet))
    for start in range(0, len(wallets), 200):
        await db["wallets"].insert_many(wallets[start : start + 200])


def purchase_event(rng: random.Random) -> dict[str, Any]:
    i = rng.randrange(PEOPLE)
    lines: list[dict[str, Any]] = [
        {
            "line_id": str(n),
            "product_id": f"sku-{rng.randrange(SKUS)}",
            "name": "product",
            "category": rng.choice(CATEGORIES),
            "quantity": 1,
            "unit_price_cents": (cents := rng.randrange(50, 5_000)),
            "amount_cents": cents,
            "warranty_months": None,
        }
        for n in range(1, rng.randrange(2, 10))
    ]
    purchase_id = uuid.uuid4().hex
    data = {
        "purchase_id": purchase_id,
        "card_number": card_number(i),
        "store_id": STORES[i % len(STORES)] if rng.random() < 0.5 else rng.choice(STORES),
        "store_name": "K-Market",
        "chain": "k-citymarket",
        "occurred_at": datetime.now(UTC).isoformat(),
        "payment": {"method": "cash", "network_token": None},
        "lines": lines,
        "total_cents": sum(x["amount_cents"] for x in lines),
    }
    return envelope("fi.plussa.stores.purchase.completed", data, subject=f"purchase/{purchase_id}")
