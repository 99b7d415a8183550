"""A POST with an Idempotency-Key can be retried: the retry gets the first answer, the key
with another body is a 422, and concurrent requests with one key create one resource."""

import asyncio
from typing import Any

from plussa_shared.errors import PROBLEM_BASE
from plussa_shared.keys import DB
from plussa_shared.testing.sample_catalogue import GATE, ITEMS

LAMP = {"name": "Lamp", "price": {"amount": 1990, "currency": "EUR"}}


async def count_items(client: Any) -> int:
    return int(await client.app[DB][ITEMS].count_documents({}))


async def test_a_retried_post_with_the_same_key_gets_the_first_answer_and_creates_nothing_more(
    catalogue: Any, aino: dict[str, str]
) -> None:
    headers = {**aino, "Idempotency-Key": "3a4d2f1e-0000-4000-8000-000000000001"}
    first = await catalogue.post("/v1/items", json=LAMP, headers=headers)
    assert first.status == 201
    assert first.headers["Location"] == f"/v1/items/{(await first.json())['item_id']}"
    assert "Idempotent-Replayed" not in first.headers
    again = await catalogue.post("/v1/items", data='{"price": {"currency": "EUR", "amount": 1990}, "name": "Lamp"}',
                                 headers={**headers, "Content-Type": "application/json"})  # fmt: skip
    assert again.status == 201
    assert await again.read() == await first.read()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await count_items(catalogue) == 1


async def test_the_same_key_with_another_body_is_a_422_and_creates_nothing(
    catalogue: Any, aino: dict[str, str]
) -> None:
    headers = {**aino, "Idempotency-Key": "key-2"}
    assert (await catalogue.post("/v1/items", json=LAMP, headers=headers)).status == 201
    resp = await catalogue.post("/v1/items", json={**LAMP, "name": "Chair"}, headers=headers)
    assert resp.status == 422
    assert (await resp.json())["type"] == PROBLEM_BASE + "idempotency-key-reused"
    assert await count_items(catalogue) == 1


async def test_keys_are_per_caller(catalogue: Any, aino: dict[str, str], eero: dict[str, str]) -> None:
    mine = await catalogue.post("/v1/items", json=LAMP, headers={**aino, "Idempotency-Key": "shared"})
    theirs = await catalogue.post("/v1/items", json=LAMP, headers={**eero, "Idempotency-Key": "shared"})
    assert (mine.status, theirs.status) == (201, 201)
    assert "Idempotent-Replayed" not in theirs.headers
    assert (await mine.json())["item_id"] != (await theirs.json())["item_id"]


async def test_concurrent_requests_with_one_key_create_one_item_and_the_other_waits_or_replays(
    aiohttp_client: Any, catalogue_app: Any, aino: dict[str, str]
) -> None:
    gate = asyncio.Event()
    app = catalogue_app()
    app[GATE] = gate
    catalogue = await aiohttp_client(app)
    headers = {**aino, "Idempotency-Key": "key-concurrent"}
    first = asyncio.create_task(catalogue.post("/v1/items", json=LAMP, headers=headers))
    await asyncio.sleep(0.3)  # the first has claimed the key and waits at the gate
    second = await catalogue.post("/v1/items", json=LAMP, headers=headers)
    assert second.status == 409
    body = await second.json()
    assert body["type"] == PROBLEM_BASE + "idempotent-request-in-flight"
    assert second.headers["Retry-After"] == "1"
    gate.set()
    assert (await first).status == 201
    third = await catalogue.post("/v1/items", json=LAMP, headers=headers)
    assert (third.status, third.headers["Idempotent-Replayed"]) == (201, "true")
    assert await count_items(catalogue) == 1


async def test_a_failed_first_attempt_does_not_hold_the_key(catalogue: Any, aino: dict[str, str]) -> None:
    headers = {**aino, "Idempotency-Key": "key-after-422"}
    bad = await catalogue.post("/v1/items", json={**LAMP, "price": {"amount": 1, "currency": "euro"}}, headers=headers)
    assert bad.status == 422
    assert (await catalogue.post("/v1/items", json=LAMP, headers=headers)).status == 201


async def test_a_malformed_key_is_a_422_on_the_header(catalogue: Any, aino: dict[str, str]) -> None:
    resp = await catalogue.post("/v1/items", json=LAMP, headers={**aino, "Idempotency-Key": "x" * 256})
    assert resp.status == 422
    assert [(e["header"], e["code"]) for e in (await resp.json())["errors"]] == [("Idempotency-Key", "invalid_key")]
