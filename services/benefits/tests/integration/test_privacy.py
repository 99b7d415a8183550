from typing import Any

from plussa_benefits.use_cases import sponsorship
from plussa_shared.testing.bus import bus_probe

from .conftest import Harness


async def _person_with_history(harness: Harness) -> None:
    await harness.person("aino")
    await harness.client.put(
        "/v1/stores/store-1/sponsorship",
        json={"causes": [{"cause_id": "scouts", "name": {"fi": "Partio", "sv": "Scouter", "en": "Scouts"}}]},
        headers=harness.store("store-1"),
    )
    await sponsorship.join_cause(harness.ctx, "aino", "store-1", "scouts")
    await harness.buy("aino", "history", ("grocery", 12_000))
    await harness.live_offer(needs_activation=False)
    await harness.buy("aino", "p-coffee", ("grocery", 1_500))


async def _answer(harness: Harness, request_type: str, answer_type: str) -> dict[str, Any]:
    amqp = harness.settings.amqp_url.get_secret_value()
    # An export answer goes to identity's private exchange alone; the erasure answer to all.
    exchanges = [harness.settings.amqp_exchange, harness.settings.private_exchange("identity")]
    async with bus_probe(amqp, exchanges, answer_type.removeprefix("fi.plussa.")) as bus:
        await harness.publish(request_type, {"request_id": "r-1", "person_id": "aino", "household_id": "hh-1"})
        [answer] = await bus.wait_for(answer_type, timeout=10)
    return dict(answer["data"])


async def test_an_export_holds_the_persons_offers_redemptions_and_sponsorships(harness: Harness) -> None:
    await _person_with_history(harness)

    answer = await _answer(harness, "fi.plussa.identity.export.requested", "fi.plussa.benefits.export.completed")

    data = answer["data"]
    assert (answer["request_id"], answer["service"]) == ("r-1", "benefits")
    assert [r["purchase_id"] for r in data["redemptions"]] == ["p-coffee"]
    assert [s["cause_id"] for s in data["sponsorships"]] == ["scouts"]
    assert len(data["offers"]) == 1
    assert data["features"]["household_id"] == "hh-1"


async def test_an_erasure_forgets_the_person_but_keeps_the_stores_totals(harness: Harness) -> None:
    await _person_with_history(harness)

    answer = await _answer(harness, "fi.plussa.identity.erasure.requested", "fi.plussa.benefits.erasure.completed")

    assert answer["service"] == "benefits"
    assert await harness.count("features", {"_id": "aino"}) == 0
    assert await harness.count("wallets", {"_id": "aino"}) == 0
    assert await harness.count("memberships", {"person_id": "aino"}) == 0
    for collection in ("redemptions", "accruals", "purchases"):
        assert await harness.count(collection, {"person_id": "aino"}) == 0
    months = await harness.client.get("/v1/stores/store-1/sponsorship/months", headers=harness.store("store-1"))
    assert (await months.json())["items"][0]["total_cents"] == 135
