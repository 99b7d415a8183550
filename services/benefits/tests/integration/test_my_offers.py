import asyncio
from datetime import timedelta
from typing import Any

from plussa_benefits.app import create_app
from plussa_benefits.store.catalogue import MISSING_RECHECK_S

from .conftest import GROCERY_RULE, Harness

PROBLEMS = "https://api.plussa.fi/problems/"


async def test_a_person_whose_purchases_put_them_in_the_segment_sees_the_offer_in_their_language(
    harness: Harness,
) -> None:
    await harness.person("aino", language="sv")
    offer_id = await harness.live_offer()
    assert await harness.my_offers("aino", lang="sv") == []

    await harness.buy("aino", "p-1", ("grocery", 12_000))
    offers = await harness.my_offers("aino", lang="sv")

    assert [o["offer_id"] for o in offers] == [offer_id]
    assert offers[0]["title"] == "Kaffe"
    assert offers[0]["activated"] is False


async def test_a_person_already_in_the_segment_gets_an_offer_when_it_is_published(harness: Harness) -> None:
    await harness.person("aino")
    await harness.buy("aino", "p-1", ("grocery", 12_000))

    offer_id = await harness.live_offer()

    assert [o["offer_id"] for o in await harness.my_offers("aino", lang="en")] == [offer_id]
    assert (await harness.my_offers("aino", lang="en"))[0]["title"] == "Coffee"


async def test_a_parallel_holder_does_not_see_the_main_holders_offers(harness: Harness) -> None:
    await harness.person("aino")
    await harness.person("eero", role="parallel")
    await harness.buy("aino", "p-1", ("grocery", 12_000))
    await harness.buy("eero", "p-2", ("fuel", 12_000))

    await harness.live_offer()

    assert len(await harness.my_offers("aino")) == 1
    assert await harness.my_offers("eero", role="parallel") == []


async def _two_offers(harness: Harness, **big: Any) -> tuple[str, str]:
    """Aino, in the segment of two offers: one worth little to her, then one worth more."""
    await harness.person("aino")
    await harness.buy("aino", "p-1", ("grocery", 30_000))
    segment_id = await harness.segment()
    small = await harness.live_offer(segment_id, reward={"kind": "campaign_points", "amount": 100})
    return small, await harness.live_offer(segment_id, reward={"kind": "percent", "amount": 1_000}, **big)


async def test_offers_are_ranked_by_their_value_to_the_person(harness: Harness) -> None:
    small, big = await _two_offers(harness)

    assert [o["offer_id"] for o in await harness.my_offers("aino")] == [big, small]


async def test_activating_my_offer_marks_it_once(harness: Harness) -> None:
    await harness.person("aino")
    await harness.buy("aino", "p-1", ("grocery", 12_000))
    offer_id = await harness.live_offer()

    first = await harness.client.post(f"/v1/me/offers/{offer_id}/activate", headers=harness.customer("aino"))
    second = await harness.client.post(f"/v1/me/offers/{offer_id}/activate", headers=harness.customer("aino"))

    assert first.status == 200
    assert (await first.json())["activated"] is True
    assert (await second.json())["activated"] is True
    assert (await harness.my_offers("aino"))[0]["activated"] is True
    assert await harness.count("outbox", {"type": "fi.plussa.benefits.offer.activated"}) == 1


async def test_activating_another_persons_or_an_untargeted_offer_is_not_found(harness: Harness) -> None:
    await harness.person("aino")
    await harness.person("eero", role="parallel")
    await harness.buy("aino", "p-1", ("grocery", 12_000))
    offer_id = await harness.live_offer()

    theirs = await harness.client.post(
        f"/v1/me/offers/{offer_id}/activate", headers=harness.customer("eero", role="parallel")
    )
    unknown = await harness.client.post("/v1/me/offers/off-nothing/activate", headers=harness.customer("aino"))

    assert theirs.status == 404
    assert (await theirs.json())["type"] == PROBLEMS + "offer-not-found"
    assert unknown.status == 404
    assert await harness.count("outbox", {"type": "fi.plussa.benefits.offer.activated"}) == 0


async def test_activating_an_expired_offer_is_a_conflict(harness: Harness) -> None:
    await harness.person("aino")
    await harness.buy("aino", "p-1", ("grocery", 12_000))
    offer_id = await harness.live_offer(valid_until=(harness.clock.now + timedelta(days=1)).isoformat())
    harness.clock.now += timedelta(days=2)

    answer = await harness.client.post(f"/v1/me/offers/{offer_id}/activate", headers=harness.customer("aino"))

    assert answer.status == 409
    assert (await answer.json())["type"] == PROBLEMS + "offer-not-active"
    assert await harness.my_offers("aino") == []


async def test_a_withdrawn_offer_leaves_every_wallet_and_cannot_be_activated(harness: Harness) -> None:
    await harness.person("aino")
    await harness.buy("aino", "p-1", ("grocery", 12_000))
    offer_id = await harness.live_offer()

    await harness.client.post(f"/v1/offers/{offer_id}/withdraw", headers=harness.issuer)
    answer = await harness.client.post(f"/v1/me/offers/{offer_id}/activate", headers=harness.customer("aino"))

    assert answer.status == 404
    assert await harness.my_offers("aino") == []


async def test_an_issuer_token_cannot_read_my_offers(harness: Harness) -> None:
    answer = await harness.client.get("/v1/me/offers", headers=harness.issuer)

    assert answer.status == 403


async def test_my_offers_is_one_indexed_read_of_my_own_wallet(harness: Harness) -> None:
    await harness.person("aino")
    await harness.buy("aino", "p-1", ("grocery", 12_000))
    await harness.live_offer()
    await harness.live_offer()
    assert len(await harness.my_offers("aino")) == 2  # the catalogue cache is warm
    db = harness.ctx.db
    await db.command("profile", 2)
    try:
        assert len(await harness.my_offers("aino", lang="sv")) == 2
    finally:
        await db.command("profile", 0)

    reads = [
        op
        async for op in db["system.profile"].find({"op": {"$in": ["query", "command", "getmore"]}})
        if op["ns"].split(".", 1)[1] not in ("outbox", "outbox_lease", "leases", "system.profile")
        and op.get("command", {}).get("profile") is None
    ]
    assert [(op["ns"].split(".", 1)[1], op.get("planSummary")) for op in reads] == [("wallets", "IDHACK")]


async def test_my_offers_come_a_page_at_a_time_in_my_language_as_the_activate_answer_shows_each(
    harness: Harness,
) -> None:
    small, big = await _two_offers(harness)
    swedish = harness.customer("aino", **{"Accept-Language": "sv"})
    activated = await harness.client.post(f"/v1/me/offers/{small}/activate", headers=swedish)

    first = await harness.client.get("/v1/me/offers?limit=1", headers=swedish)
    first_page = await first.json()
    second = await harness.client.get(f"/v1/me/offers?limit=1&cursor={first_page['next_cursor']}", headers=swedish)
    second_page = await second.json()

    assert [o["offer_id"] for o in first_page["items"]] == [big]
    assert second_page == {"items": [await activated.json()], "next_cursor": None}
    assert second_page["items"][0]["title"] == "Kaffe"
    for answer in (first, second):
        assert answer.content_type == "application/json"
        assert answer.headers["Content-Language"] == "sv"
        assert answer.headers["Vary"] == "Accept-Language"
        assert answer.headers["Cache-Control"] == "no-store"


async def test_what_my_offers_reads_is_written_with_my_wallet_by_every_change_of_it(harness: Harness) -> None:
    small, big = await _two_offers(harness, needs_activation=False)
    targeted = await harness.shown("aino")
    assert [entry.split(" ")[0] for entry in targeted] == [big, small]

    await harness.client.post(f"/v1/me/offers/{small}/activate", headers=harness.customer("aino"))
    activated = await harness.shown("aino")
    await harness.buy("aino", "p-2", ("grocery", 2_000))
    redeemed = await harness.shown("aino")
    await harness.client.post(f"/v1/offers/{big}/withdraw", headers=harness.issuer)
    withdrawn = await harness.shown("aino")

    assert [entry.split(" ")[2:] for entry in activated] == [["0", "0"], ["1", "0"]]
    assert [entry.split(" ")[2:] for entry in redeemed] == [["0", "1"], ["1", "1"]]
    assert withdrawn == redeemed[1:]
    offers = await harness.my_offers("aino")
    assert [(o["offer_id"], o["activated"], o["times_used"]) for o in offers] == [(small, True, 1)]
    assert offers[0]["expected_value_cents"] == int(withdrawn[0].split(" ")[1])


async def test_a_wallet_written_before_it_kept_what_my_offers_reads_is_read_whole_until_its_next_write(
    harness: Harness,
) -> None:
    await _two_offers(harness)
    before = await harness.my_offers("aino")
    await harness.ctx.db.wallets.update_one({"_id": "aino"}, {"$unset": {"shown": ""}})

    assert await harness.my_offers("aino") == before
    await harness.buy("aino", "p-2", ("fuel", 1_000))
    assert len(await harness.shown("aino")) == 2
    assert await harness.my_offers("aino") == before


async def test_an_offer_published_by_another_replica_is_shown_within_the_recheck_time(
    harness: Harness, aiohttp_client: Any
) -> None:
    other = await aiohttp_client(create_app(harness.settings, harness.clock))
    await harness.person("aino")
    await harness.buy("aino", "p-1", ("grocery", 12_000))
    assert await harness.my_offers("aino") == []  # this replica's catalogue is fresh, for 30 s
    segment = await other.post("/v1/segments", json={"name": "Grocery", "rule": GROCERY_RULE}, headers=harness.issuer)
    segment_id = (await segment.json())["segment_id"]
    made = await other.post("/v1/offers", json=harness.offer_body(segment_id), headers=harness.issuer)
    offer_id = (await made.json())["offer_id"]
    published = await other.post(f"/v1/offers/{offer_id}/publish", headers=harness.issuer)
    assert published.status == 200

    await asyncio.sleep(MISSING_RECHECK_S * 1.5)

    assert [o["offer_id"] for o in await harness.my_offers("aino")] == [offer_id]
