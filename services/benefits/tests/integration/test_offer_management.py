from datetime import timedelta
from typing import Any

import pytest

from .conftest import Harness

PROBLEMS = "https://api.plussa.fi/problems/"


async def test_an_issuer_creates_publishes_changes_and_withdraws_its_offer(harness: Harness) -> None:
    segment_id = await harness.segment()
    body = harness.offer_body(segment_id, valid_from=(harness.clock.now + timedelta(days=2)).isoformat())
    made = await harness.client.post("/v1/offers", json=body, headers=harness.issuer)
    offer_id = (await made.json())["offer_id"]

    published = await harness.client.post(f"/v1/offers/{offer_id}/publish", headers=harness.issuer)
    changed = await harness.client.put(
        f"/v1/offers/{offer_id}", json={**body, "limit_per_person": 3}, headers={**harness.issuer, "If-Match": '"2"'}
    )
    withdrawn = await harness.client.post(f"/v1/offers/{offer_id}/withdraw", headers=harness.issuer)

    assert made.status == 201
    assert made.headers["Location"] == f"/v1/offers/{offer_id}"
    assert (await published.json())["state"] == "published"
    assert changed.status == 200, await changed.text()
    assert changed.headers["ETag"] == '"3"'
    assert (await changed.json())["limit_per_person"] == 3
    assert (await withdrawn.json())["state"] == "withdrawn"


async def test_a_stale_if_match_is_refused_and_changes_nothing(harness: Harness) -> None:
    segment_id = await harness.segment()
    made = await harness.client.post("/v1/offers", json=harness.offer_body(segment_id), headers=harness.issuer)
    offer_id = (await made.json())["offer_id"]

    answer = await harness.client.put(
        f"/v1/offers/{offer_id}",
        json=harness.offer_body(segment_id, limit_per_person=5),
        headers={**harness.issuer, "If-Match": '"7"'},
    )

    assert answer.status == 412
    assert (await answer.json())["type"] == PROBLEMS + "precondition-failed"
    assert (await harness.ctx.db.offers.find_one({"_id": offer_id}))["terms"]["limit_per_person"] == 1  # type: ignore[index]


async def test_a_started_offer_cannot_change(harness: Harness) -> None:
    offer_id = await harness.live_offer()

    answer = await harness.client.put(
        f"/v1/offers/{offer_id}", json=harness.offer_body(await harness.segment()), headers=harness.issuer
    )

    assert answer.status == 409
    assert (await answer.json())["type"] == PROBLEMS + "offer-already-started"


async def test_another_issuers_offer_is_not_found(harness: Harness) -> None:
    offer_id = await harness.live_offer()
    other = harness.tokens.bearer(harness.tokens.service("partner-x", "benefits:offers"))

    read = await harness.client.get(f"/v1/offers/{offer_id}", headers=other)
    withdraw = await harness.client.post(f"/v1/offers/{offer_id}/withdraw", headers=other)

    assert read.status == 404
    assert withdraw.status == 404
    assert (await harness.ctx.db.offers.find_one({"_id": offer_id}))["state"] == "published"  # type: ignore[index]


async def test_offers_need_the_benefits_offers_scope(harness: Harness) -> None:
    till = harness.tokens.bearer(harness.tokens.service("till-1", "points:spend"))
    customer = harness.customer("aino")

    assert (await harness.client.get("/v1/offers", headers=till)).status == 403
    assert (await harness.client.post("/v1/segments", json={"name": "x", "rule": {}}, headers=customer)).status == 403


@pytest.mark.parametrize(
    ("changes", "slug"),
    [
        ({"valid_until": "VALID_FROM"}, "invalid-offer"),
        ({"valid_from": "LATER", "valid_until": "VALID_FROM"}, "invalid-offer"),
        ({"qualification": {"categories": ["cars"]}}, "unknown-category"),
        ({"title": {"fi": "Kahvia", "en": "Coffee"}}, "missing-language"),
        ({"description": {"fi": "x", "sv": " ", "en": "y"}}, "missing-language"),
        ({"reward": {"kind": "campaign_points", "amount": -500}}, "invalid-reward"),
        ({"reward": {"kind": "campaign_points", "amount": 10_000_000}}, "invalid-reward"),
        ({"reward": {"kind": "percent", "amount": 9_000}}, "invalid-reward"),
        ({"reward": {"kind": "euro", "amount": 5_000}, "qualification": {"min_spend_cents": 100}}, "invalid-reward"),
        ({"segment_id": "seg-nobody-has"}, "unknown-segment"),
    ],
)
async def test_an_invalid_offer_is_refused_with_its_problem_type_and_nothing_is_written(
    harness: Harness, changes: dict[str, Any], slug: str
) -> None:
    segment_id = await harness.segment()
    body = harness.offer_body(segment_id, **changes)
    if body["valid_until"] == "VALID_FROM":
        body["valid_until"] = harness.offer_body(segment_id)["valid_from"]
    if body["valid_from"] == "LATER":
        body["valid_from"] = (harness.clock.now + timedelta(days=60)).isoformat()

    answer = await harness.client.post("/v1/offers", json=body, headers=harness.issuer)

    assert answer.status == 422, await answer.text()
    assert (await answer.json())["type"] == PROBLEMS + slug
    assert await harness.count("offers") == 0


@pytest.mark.parametrize(
    "rule",
    [
        {"all": []},
        {"maybe": [{"everyone": True}]},
        {"feature": "shoe_size", "op": ">", "value": 40},
        {"feature": "spend_cents", "months": "3", "op": ">=", "value": 1},
        {"feature": "spend_cents", "months": 3, "category": "cars", "op": ">=", "value": 1},
    ],
)
async def test_a_segment_rule_that_does_not_parse_is_refused_saying_where(
    harness: Harness, rule: dict[str, Any]
) -> None:
    answer = await harness.client.post("/v1/segments", json={"name": "Bad", "rule": rule}, headers=harness.issuer)

    problem = await answer.json()
    assert answer.status == 422
    assert problem["type"] == PROBLEMS + "invalid-segment-rule"
    assert problem["errors"][0]["pointer"].startswith("/rule")
    assert await harness.count("segments") == 0
