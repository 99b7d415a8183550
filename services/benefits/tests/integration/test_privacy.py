import asyncio
import uuid
from typing import Any

from plussa_benefits.use_cases import sponsorship
from plussa_shared.testing.bus import bus_probe
from plussa_shared.testing.privacy import LATE_VERSIONS, documents_naming, late_version

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


async def _handled(harness: Harness, event_id: str) -> None:
    """Wait until the consumer handled the event: its id is in the inbox, written in the
    handler's own transaction (so it was absorbed, not dead-lettered)."""
    for _ in range(200):
        if await harness.count("inbox", {"_id": event_id}):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"event {event_id} was not handled")


@LATE_VERSIONS
async def test_an_older_card_event_arriving_after_the_erasure_brings_back_nothing_naming_the_person(
    harness: Harness, names_holder: bool
) -> None:
    person, household = f"p-{uuid.uuid4().hex}", f"h-{uuid.uuid4().hex}"
    number = await harness.person(person, household)
    card = {"card_id": f"c-{person}", "card_number": number, "household_id": household, "person_id": person}
    erasure = {"request_id": "r-2", "person_id": person, "household_id": household, "household_alone": True}
    amqp = harness.settings.amqp_url.get_secret_value()
    async with bus_probe(amqp, harness.settings.amqp_exchange, "benefits.erasure.completed") as bus:
        await harness.publish("fi.plussa.identity.erasure.requested", erasure)
        await bus.wait_for("fi.plussa.benefits.erasure.completed", timeout=10)

    # The card's version before the erasure, delivered again late; then another person's card.
    late = await harness.publish("fi.plussa.cards.card.issued", {"card": late_version(card, names_holder, version=1)})
    other = {"card_id": "c-other", "card_number": "4000000000009999", "person_id": "p-other", "version": 1}
    await harness.publish("fi.plussa.cards.card.issued", {"card": other})
    await _handled(harness, late)

    assert await documents_naming(harness.ctx.db, (person, household, number)) == []
    assert await harness.count("cards", {"_id": number}) == 0
    for _ in range(200):
        if await harness.count("cards", {"_id": "4000000000009999", "person_id": "p-other"}):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("another person's card was not kept")


@LATE_VERSIONS
async def test_an_older_card_event_after_the_card_was_closed_for_the_erasure_does_not_bring_the_card_back(
    harness: Harness, names_holder: bool
) -> None:
    number = await harness.person("eeva", "hh-2")
    card = {"card_id": "c-eeva", "card_number": number, "household_id": "hh-2", "person_id": "eeva"}
    closing = {"card": card | {"state": "closed", "version": 2}, "reason": "erased"}
    await _handled(harness, await harness.publish("fi.plussa.cards.card.closed", closing))
    unclosed = late_version(card, names_holder, state="active", version=1)
    late = await harness.publish("fi.plussa.cards.card.issued", {"card": unclosed})
    await _handled(harness, late)

    assert await harness.count("cards", {"_id": number}) == 0
