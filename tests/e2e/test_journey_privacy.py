"""Journey 7: a person asks for their data, then to be forgotten.

Aino has left traces in every service: her login (identity), her card (cards), a purchase
(points), a supported cause and her shopping features (benefits), her contact choices
(notifications) and a TV's warranty receipt (receipts). She downloads one document with
every service's part, then asks for erasure. Every service answers; afterwards no
document in any collection of any service's database holds her ids, e-mail or name.
"""

import json
from pathlib import Path
from typing import Any

from plussa_shared.mongo import create_client
from tests.e2e.stack import SERVICES, STORE, Customer, Stack, body, eventually, line, purchase, running_stack

CAUSE = {"causes": [{"cause_id": "kamppi-scouts", "name": {"fi": "Partio", "sv": "Scouter", "en": "Scouts"}}]}


async def traces_of(stack: Stack, needles: dict[str, str]) -> list[str]:
    """Every (service, collection, what) where a document still holds one of ``needles``."""
    found: list[str] = []
    client = create_client(str(stack.settings["identity"].mongo_url), app_name="e2e-privacy-scan")
    try:
        for service in SERVICES:
            db = client[stack.settings[service].mongo_database]
            for collection in await db.list_collection_names():
                async for document in db[collection].find({}):
                    text = json.dumps(document, default=str)
                    found += [f"{service}.{collection}: {what}" for what, value in needles.items() if value in text]
    finally:
        await client.close()
    return sorted(set(found))


async def leave_traces_everywhere(stack: Stack, aino: Customer) -> dict[str, Any]:
    """Aino's choices in notifications, receipts and benefits, and a purchase they all see."""
    store = await stack.system(STORE["store_id"], "benefits:sponsorship")
    await body(await stack.benefits.put(f"/v1/stores/{STORE['store_id']}/sponsorship", json=CAUSE, headers=store))
    await body(
        await stack.notifications.patch(
            "/v1/me/preferences", json={"consents": {"k-citymarket": True}}, headers=aino.headers
        )
    )
    await body(await stack.receipts.put("/v1/me/receipt-service", json={"enabled": True}, headers=aino.headers))

    async def joined() -> bool:
        answer = await stack.benefits.put(
            f"/v1/me/sponsorships/{STORE['store_id']}", json={"cause_id": "kamppi-scouts"}, headers=aino.headers
        )
        return bool(answer.status == 200)

    await eventually(joined, "joining the cause")
    bought = purchase(aino.card["card_number"], line("Televisio", "electronics", 59_900, warranty_months=24))
    await stack.store_publishes("purchase.completed", bought)
    await stack.bus.wait_for("fi.plussa.points.purchase.recorded", timeout=20)
    await stack.bus.wait_for("fi.plussa.receipts.receipt.saved", timeout=20)
    await stack.bus.wait_for("fi.plussa.benefits.sponsorship.accrued", timeout=20)
    return bought


async def test_a_person_downloads_every_services_part_of_their_data_then_is_erased_from_every_database(
    aiohttp_client: Any, settings_for: Any, tmp_path: Path
) -> None:
    async with running_stack(aiohttp_client, settings_for, tmp_path) as stack:
        aino = await stack.customer("Aino", "Lindroos", "1987-10-23")
        bought = await leave_traces_everywhere(stack, aino)

        export = await body(await stack.identity.post("/v1/me/data-exports", headers=aino.headers), 202)
        path = f"/v1/me/data-exports/{export['request_id']}"

        async def exported() -> bool:
            progress = await body(await stack.identity.get(path, headers=aino.headers))
            return bool(progress["status"] == "completed")

        await eventually(exported, "every service's part of the export")
        document = await body(await stack.identity.get(f"{path}/download", headers=aino.headers))

        erasure = await body(await stack.identity.post("/v1/me/erasure-requests", headers=aino.headers), 202)
        answers = {
            service: await stack.bus.wait_for(f"fi.plussa.{service}.erasure.completed", timeout=30)
            for service in SERVICES
        }
        login = await stack.identity.post("/v1/sessions", json={"email": aino.email, "password": "x" * 12})
        needles = {
            "person_id": aino.person_id,
            "household_id": aino.household_id,
            "card_id": aino.card["card_id"],
            "card_number": aino.card["card_number"],
            "email": aino.email,
            "first_name": aino.first_name,
            "last_name": aino.last_name,
        }
        left = await traces_of(stack, needles)

    parts = document["services"]
    assert set(parts) == set(SERVICES)
    assert aino.email in json.dumps(parts["identity"])
    assert aino.card["card_number"] in json.dumps(parts["cards"])
    assert bought["purchase_id"] in json.dumps(parts["points"])
    assert "kamppi-scouts" in json.dumps(parts["benefits"])
    assert "k-citymarket" in json.dumps(parts["notifications"])
    assert "Televisio" in json.dumps(parts["receipts"])
    assert all(event["data"]["request_id"] == erasure["request_id"] for [event] in answers.values())
    assert login.status == 401
    assert left == [], "still held after the erasure:\n" + "\n".join(left)
