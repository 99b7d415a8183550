"""Lists are pages: items and a next_cursor, a bounded limit, and keyset order that
neither skips nor repeats an item."""

import base64
from datetime import UTC, datetime
from typing import Any

import pytest
from bson import ObjectId, json_util
from bson.json_util import CANONICAL_JSON_OPTIONS

from plussa_shared.errors import ValidationFailedError
from plussa_shared.paging import Position, decode_cursor, encode_cursor


async def create(client: Any, headers: dict[str, str], name: str) -> dict[str, Any]:
    resp = await client.post(
        "/v1/items", json={"name": name, "price": {"amount": 100, "currency": "EUR"}}, headers=headers
    )
    assert resp.status == 201, await resp.text()
    return dict(await resp.json())


async def test_a_list_longer_than_a_page_is_read_page_by_page_newest_first_without_gaps(
    aiohttp_client: Any, catalogue_app: Any, aino: dict[str, str], eero: dict[str, str]
) -> None:
    client = await aiohttp_client(catalogue_app(page_limit_default=3, page_limit_max=5))
    created = [await create(client, aino, f"item {n}") for n in range(7)]
    await create(client, eero, "not Aino's")
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        resp = await client.get("/v1/items", params={"cursor": cursor} if cursor else {}, headers=aino)
        assert resp.status == 200
        page = await resp.json()
        assert set(page) == {"items", "next_cursor"}
        assert len(page["items"]) <= 3
        seen += [item["item_id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [item["item_id"] for item in reversed(created)]


async def test_the_limit_sets_the_page_size_up_to_the_maximum(
    aiohttp_client: Any, catalogue_app: Any, aino: dict[str, str]
) -> None:
    client = await aiohttp_client(catalogue_app(page_limit_default=3, page_limit_max=5))
    for n in range(6):
        await create(client, aino, f"item {n}")
    page = await (await client.get("/v1/items?limit=5", headers=aino)).json()
    assert len(page["items"]) == 5
    assert page["next_cursor"] is not None
    resp = await client.get("/v1/items?limit=6", headers=aino)
    assert resp.status == 422
    assert (await resp.json())["errors"] == [
        {"parameter": "limit", "code": "too_big", "detail": "Ask for at most 5 items"}
    ]


async def test_a_forged_cursor_is_a_422_on_the_cursor_parameter(catalogue: Any, aino: dict[str, str]) -> None:
    resp = await catalogue.get("/v1/items?cursor=bm90LWEtY3Vyc29y", headers=aino)
    assert resp.status == 422
    assert [(e["parameter"], e["code"]) for e in (await resp.json())["errors"]] == [("cursor", "invalid_cursor")]


def test_a_cursor_made_for_another_sort_key_is_refused() -> None:
    cursor = encode_cursor(Position("2026-01-01", "a1"), "created_at")
    assert decode_cursor(cursor, "created_at") == Position("2026-01-01", "a1")
    with pytest.raises(ValidationFailedError):
        decode_cursor(cursor, "name")


@pytest.mark.parametrize(
    "value",
    [
        0,
        -(2**31),
        2**31 - 1,
        2**31,
        -(2**31) - 1,
        2**62,
        "",
        'a "quoted" \\ line\n',
        "åäö \u2028 \U0001f600 \x01",
        1.5,
        True,
        datetime(2026, 11, 30, 12, 30, 1, 250_000, tzinfo=UTC).replace(tzinfo=None),  # as MongoDB gives it
        ObjectId("65a1b2c3d4e5f60718293a4b"),
    ],
)
def test_a_cursor_is_the_canonical_extended_json_of_its_position_and_reads_back(value: Any) -> None:
    cursor = encode_cursor(Position(value, value), "rank")

    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    assert raw == json_util.dumps({"s": "rank", "v": value, "i": value}, json_options=CANONICAL_JSON_OPTIONS)
    assert decode_cursor(cursor, "rank") == Position(value, value)
