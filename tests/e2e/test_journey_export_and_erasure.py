"""Journey 7: a person downloads their data and then has it erased everywhere.

Saimi has lived a real Plussa life: she applied for a card, registered, verified her
address and logged in from her phone; she gave a phone number, chose her contact
preferences, kept a warranty receipt, joined her store's cause, activated and redeemed
an offer, and her purchases earned points. She asks for her data (one download with every
service's part), then for erasure. Every service answers, and afterwards no database of
any service holds her ids, card number, e-mail, name or phone: every document of every
collection is read, recursively, as strings.

What may remain is listed in ``KEPT``, each with the reason it may (docs/event-contract.md,
"What an erasure leaves": nothing, since kept accounting records name nobody).
"""

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from tests.e2e.stack import PASSWORD, SERVICES, STORE, Customer, Stack, body, eventually, line, purchase, running_stack

PHONE = "+358 40 765 4321"
USER_AGENT = "Mozilla/5.0 (Saimi's phone; Android 15)"
DONE = "fi.plussa.identity.erasure.completed"

# Nothing of hers may remain anywhere; no (database, collection, field) is exempt.
KEPT: frozenset[tuple[str, str, str]] = frozenset()


def strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every scalar of a document as (field path, text), keys included."""
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            yield here, str(key)
            yield from strings(item, here)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from strings(item, f"{path}[{index}]")
    elif value is not None:
        yield path, str(value)


async def traces_of(stack: Stack, needles: dict[str, str]) -> list[str]:
    """Where any of ``needles`` (what -> text) is found: database, collection, field and what."""
    found = []
    lowered = {what: text.lower() for what, text in needles.items()}
    for service in SERVICES:
        settings = stack.settings[service]
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url.unicode_string())
        try:
            db = client[settings.mongo_database]
            for collection in sorted(await db.list_collection_names()):
                async for document in db[collection].find({}):
                    for field, text in strings(document):
                        field = field.split("[")[0]
                        for what, needle in lowered.items():
                            if needle in text.lower() and (service, collection, field) not in KEPT:
                                found.append(f"{settings.mongo_database}.{collection} {field}: {what}")
        finally:
            await client.close()
    return sorted(set(found))


async def settled(stack: Stack) -> None:
    """Wait until every service has sent every event it wrote (erasure's own events included),
    so what the others do with them is done before the scan."""

    async def quiet() -> bool:
        for service in SERVICES:
            settings = stack.settings[service]
            client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_url.unicode_string())
            try:
                if await client[settings.mongo_database]["outbox"].count_documents({"sent_at": None}):
                    return False
            finally:
                await client.close()
        return True

    for _ in range(3):  # quiet three times over: events handled may have written new ones
        await eventually(quiet, "every outbox sent")
        await asyncio.sleep(0.5)


async def a_real_life(stack: Stack) -> tuple[Customer, dict[str, Any]]:
    """Saimi's card, login, phone, preferences, receipt, cause, offer and purchases; the purchases."""
    store_id = STORE["store_id"]
    saimi = await stack.apply("Saimi", "Kuusisto-Ervasti", "1984-06-12")
    await stack.register(saimi)
    await stack.verify_from_mail(saimi)
    tokens = await body(
        await stack.identity.post(
            "/v1/sessions", json={"email": saimi.email, "password": PASSWORD}, headers={"User-Agent": USER_AGENT}
        ),
        201,
    )
    saimi.headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    await body(await stack.identity.patch("/v1/me/profile", json={"phone": PHONE}, headers=saimi.headers))
    await body(
        await stack.notifications.patch(
            "/v1/me/preferences", json={"consents": {"k-citymarket": True}}, headers=saimi.headers
        )
    )

    chain = await stack.system("k-citymarket", "benefits:offers")
    store = await stack.system(store_id, "benefits:sponsorship")
    offer_id = await stack.chain_offer(chain, "kahvi-500-g", 300)
    await body(await stack.receipts.put("/v1/me/receipt-service", json={"enabled": True}, headers=saimi.headers))

    await stack.joins_the_scouts(saimi, store)
    groceries = purchase(saimi.card["card_number"], line("Ruokaostokset", "grocery", 12_000))
    await stack.store_publishes("purchase.completed", groceries)
    assert await eventually(lambda: stack.offers_of(saimi), "the coffee offer") == [offer_id]
    await body(await stack.benefits.post(f"/v1/me/offers/{offer_id}/activate", headers=saimi.headers))
    trip = purchase(
        saimi.card["card_number"],
        line("Kahvi 500 g", "grocery", 649),
        line("Porakone", "hardware", 12_900, warranty_months=24),
    )
    await stack.store_publishes("purchase.completed", trip)
    await stack.bus.wait_for("fi.plussa.benefits.campaign_points.granted", timeout=20)
    await stack.bus.wait_for("fi.plussa.points.purchase.recorded", count=2, timeout=20)
    await stack.bus.wait_for("fi.plussa.receipts.receipt.saved", timeout=20)
    await stack.bus.wait_for("fi.plussa.benefits.sponsorship.accrued", count=2, timeout=20)
    await stack.wait_for_mail(saimi.email, 2)  # the verification mail, and the receipt's (or the offer's)
    return saimi, {"groceries": groceries, "trip": trip, "offer_id": offer_id}


def her(saimi: Customer) -> dict[str, str]:
    """What must not remain of her: what -> text."""
    return {
        "person id": saimi.person_id,
        "household id": saimi.household_id,  # the household was hers alone
        "card id": saimi.card["card_id"],
        "card number": saimi.card["card_number"],
        "e-mail": saimi.email,
        "first name": saimi.first_name,
        "last name": saimi.last_name,
        "phone": PHONE,
        "user agent": USER_AGENT,
    }


async def test_a_person_downloads_every_services_part_of_their_data_then_is_erased_and_no_database_holds_anything_of_theirs(  # noqa: E501
    aiohttp_client: Any, settings_for: Any, tmp_path: Path
) -> None:
    async with running_stack(aiohttp_client, settings_for, tmp_path) as stack:
        saimi, bought = await a_real_life(stack)

        export = await body(await stack.identity.post("/v1/me/data-exports", headers=saimi.headers), 202)

        async def downloaded() -> Any:
            answer = await stack.identity.get(
                f"/v1/me/data-exports/{export['request_id']}/download", headers=saimi.headers
            )
            return await answer.json() if answer.status == 200 else None

        document = await eventually(downloaded, "every service's part of the export")
        await settled(stack)
        before = await traces_of(stack, her(saimi))

        erasure = await body(await stack.identity.post("/v1/me/erasure-requests", headers=saimi.headers), 202)
        mine = erasure["request_id"]
        await stack.bus.wait_for(DONE, lambda e: e["data"]["request_id"] == mine, timeout=30)
        answered = {
            e["data"]["service"]
            for e in stack.bus.events
            if e["type"].endswith(".erasure.completed") and e["data"]["request_id"] == mine
        }
        await settled(stack)
        left = await traces_of(stack, her(saimi))
        login = await stack.identity.post("/v1/sessions", json={"email": saimi.email, "password": PASSWORD})

    parts = document["services"]
    assert sorted(parts) == sorted(SERVICES)
    assert parts["identity"]["profile"]["email"] == saimi.email
    assert parts["identity"]["profile"]["phone"] == PHONE
    assert [s["user_agent"] for s in parts["identity"]["sessions"]] == [USER_AGENT]
    assert (parts["cards"]["person"]["first_name"], parts["cards"]["person"]["last_name"]) == (
        saimi.first_name,
        saimi.last_name,
    )
    assert [c["card_number"] for c in parts["cards"]["cards"]] == [saimi.card["card_number"]]
    assert {p["_id"] for p in parts["points"]["purchases"]} == {
        bought["groceries"]["purchase_id"],
        bought["trip"]["purchase_id"],
    }
    assert [o["offer_id"] for o in parts["benefits"]["offers"]] == [bought["offer_id"]]
    assert [r["purchase_id"] for r in parts["benefits"]["redemptions"]] == [bought["trip"]["purchase_id"]]
    assert [s["cause_id"] for s in parts["benefits"]["sponsorships"]] == ["kamppi-scouts"]
    assert parts["notifications"]["consents"] == {"k-citymarket": True}
    assert "sent" in {m["status"] for m in parts["notifications"]["messages"]}
    assert [r["purchase_id"] for r in parts["receipts"]["receipts"]] == [bought["trip"]["purchase_id"]]

    # the scan finds each of these while she is a customer, so its silence afterwards means something
    assert {found.rsplit(": ", 1)[1] for found in before} == set(her(saimi))
    assert answered == set(SERVICES)
    assert login.status == 401
    assert left == [], "\n".join(left)
