"""Versioned resources carry an ETag: If-None-Match gives a 304, and a write with a stale
If-Match is a 412 that changes nothing."""

from typing import Any

from plussa_shared.errors import PROBLEM_BASE


async def an_item(client: Any, headers: dict[str, str]) -> dict[str, Any]:
    resp = await client.post(
        "/v1/items", json={"name": "Lamp", "price": {"amount": 1, "currency": "EUR"}}, headers=headers
    )
    return dict(await resp.json())


async def test_a_versioned_resource_carries_its_version_as_etag_and_if_none_match_gives_304(
    catalogue: Any, aino: dict[str, str]
) -> None:
    item = await an_item(catalogue, aino)
    resp = await catalogue.get(f"/v1/items/{item['item_id']}", headers=aino)
    assert resp.headers["ETag"] == '"1"'
    unchanged = await catalogue.get(f"/v1/items/{item['item_id']}", headers={**aino, "If-None-Match": '"1"'})
    assert unchanged.status == 304
    assert await unchanged.read() == b""
    assert unchanged.headers["ETag"] == '"1"'
    assert unchanged.headers["Cache-Control"] == "no-store"
    other = await catalogue.get(f"/v1/items/{item['item_id']}", headers={**aino, "If-None-Match": '"7", W/"9"'})
    assert other.status == 200


async def test_a_write_with_the_current_etag_succeeds_and_moves_the_etag(catalogue: Any, aino: dict[str, str]) -> None:
    item = await an_item(catalogue, aino)
    resp = await catalogue.put(
        f"/v1/items/{item['item_id']}",
        json={"name": "Desk lamp", "state": "active"},
        headers={**aino, "If-Match": '"1"'},
    )
    assert resp.status == 200
    assert resp.headers["ETag"] == '"2"'
    assert (await resp.json())["name"] == "Desk lamp"


async def test_a_stale_if_match_is_a_412_and_nothing_changes(catalogue: Any, aino: dict[str, str]) -> None:
    item = await an_item(catalogue, aino)
    path = f"/v1/items/{item['item_id']}"
    await catalogue.put(path, json={"name": "Desk lamp", "state": "active"}, headers={**aino, "If-Match": '"1"'})
    for stale in ('"1"', '"999"', 'W/"2"', '"two"'):
        resp = await catalogue.put(
            path, json={"name": "Chair", "state": "archived"}, headers={**aino, "If-Match": stale}
        )
        assert resp.status == 412, stale
        assert (await resp.json())["type"] == PROBLEM_BASE + "precondition-failed"
    now = await (await catalogue.get(path, headers=aino)).json()
    assert (now["name"], now["state"], now["version"]) == ("Desk lamp", "active", 2)


async def test_a_write_without_if_match_is_unconditional_and_another_callers_item_stays_hidden(
    catalogue: Any, aino: dict[str, str], eero: dict[str, str]
) -> None:
    item = await an_item(catalogue, aino)
    path = f"/v1/items/{item['item_id']}"
    assert (await catalogue.put(path, json={"name": "Chair", "state": "active"}, headers=aino)).status == 200
    theirs = await catalogue.put(path, json={"name": "Mine", "state": "active"}, headers={**eero, "If-Match": '"2"'})
    assert theirs.status == 404
