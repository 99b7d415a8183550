"""The HTTP conventions through cards' real routes: pages, retries, versions, and the documented answers."""

import uuid
from typing import Any

from plussa_cards.testing import CardsApi, problem, unique_person
from plussa_shared.testing.contract import Contract

PARALLEL = "/v1/me/household/parallel-holders"


def contract(api: CardsApi) -> Contract:
    return Contract.of(api.client.app)


async def test_my_cards_come_in_pages_that_together_hold_every_live_card_once(api: CardsApi) -> None:
    main = await api.apply()
    for name in ("Matti", "Liisa", "Kalle"):
        await api.add_parallel(main, name)

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = f"?limit=2&cursor={cursor}" if cursor else "?limit=2"
        resp = await api.client.get(f"/v1/me/cards{query}", headers=main.headers)
        page = await contract(api).check_response(resp)
        seen += [c["card_id"] for c in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert pages == 2
    assert len(seen) == len(set(seen)) == 4
    assert seen[0] == main.card["card_id"]


async def test_a_page_larger_than_allowed_or_an_unknown_parameter_is_refused(api: CardsApi) -> None:
    main = await api.apply()

    too_big = await api.client.get("/v1/me/cards?limit=1000", headers=main.headers)
    misspelt = await api.client.get("/v1/me/cards?limt=5", headers=main.headers)
    forged = await api.client.get("/v1/me/cards?cursor=bm90LWEtY3Vyc29y", headers=main.headers)

    assert await problem(too_big) == (422, "validation-failed")
    assert await problem(misspelt) == (422, "validation-failed")
    assert await problem(forged) == (422, "validation-failed")


async def test_a_retried_parallel_card_order_gets_the_first_answer_and_orders_one_card(api: CardsApi) -> None:
    main = await api.apply()
    person = unique_person("Eero")
    headers = {**main.headers, "Idempotency-Key": str(uuid.uuid4())}

    first = await api.client.post(PARALLEL, json=person, headers=headers)
    retry = await api.client.post(PARALLEL, json=person, headers=headers)
    other_body = await api.client.post(PARALLEL, json=unique_person("Ville"), headers=headers)

    created = await contract(api).check_response(first)
    assert first.status == 201
    assert first.headers["Location"] == f"/v1/cards/{created['card']['card_id']}"
    assert retry.status == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert await retry.json() == created
    assert await problem(other_body) == (422, "idempotency-key-reused")
    household = await (await api.client.get("/v1/me/household", headers=main.headers)).json()
    assert len(household["members"]) == 2


async def test_a_card_answers_with_its_etag_and_a_stale_if_match_changes_nothing(api: CardsApi) -> None:
    main = await api.apply()
    url = f"/v1/cards/{main.card['card_id']}"

    read = await api.client.get(url, headers=main.headers)
    await contract(api).check_response(read)
    unchanged = await api.client.get(url, headers={**main.headers, "If-None-Match": read.headers["ETag"]})
    stale = await api.client.post(
        f"{url}/block", json={"reason": "lost"}, headers={**main.headers, "If-Match": '"999"'}
    )
    after_stale = await (await api.client.get(url, headers=main.headers)).json()
    blocked = await api.client.post(
        f"{url}/block", json={"reason": "lost"}, headers={**main.headers, "If-Match": read.headers["ETag"]}
    )

    assert read.headers["ETag"] == '"1"'
    assert unchanged.status == 304
    assert await problem(stale) == (412, "precondition-failed")
    assert after_stale["state"] == "active"
    assert after_stale["version"] == 1
    assert (await contract(api).check_response(blocked))["state"] == "blocked"
    assert blocked.headers["ETag"] == '"2"'


async def test_the_household_has_an_etag_that_changes_with_its_cards_and_guards_its_writes(api: CardsApi) -> None:
    main = await api.apply()
    parallel = await api.add_parallel(main)
    read = await api.client.get("/v1/me/household", headers=main.headers)
    etag = read.headers["ETag"]
    await contract(api).check_response(read)

    await api.client.post(f"/v1/cards/{parallel.card['card_id']}/block", json={"reason": "lost"}, headers=main.headers)
    after_block = await api.client.get("/v1/me/household", headers={**main.headers, "If-None-Match": etag})
    stale = await api.client.put(
        f"{PARALLEL}/{parallel.person_id}/money-access",
        json={"can_use_money": True},
        headers={**main.headers, "If-Match": etag},
    )
    current = after_block.headers["ETag"]
    fresh = await api.client.put(
        f"{PARALLEL}/{parallel.person_id}/money-access",
        json={"can_use_money": True},
        headers={**main.headers, "If-Match": current},
    )

    assert after_block.status == 200
    assert current != etag
    assert await problem(stale) == (412, "precondition-failed")
    assert (await contract(api).check_response(fresh))["can_use_money"] is True


async def test_the_main_routes_answer_as_their_document_says(api: CardsApi) -> None:
    main = await api.apply()
    c = contract(api)
    card_url = f"/v1/cards/{main.card['card_id']}"
    key: dict[str, Any] = {"Idempotency-Key": str(uuid.uuid4())}

    answers = [
        await api.client.post("/v1/me/mobile-cards", headers={**main.headers, **key}),
        await api.client.post(f"{card_url}/replacement", json={"reason": "damaged"}, headers=main.headers),
        await api.client.get("/v1/me/household", headers=main.headers),
        await api.client.get(f"/v1/households/{main.household_id}", headers=api.as_service("ops")),
        await api.client.get(f"/v1/lookup/cards/{main.card['card_number']}", headers=api.as_service("cards:lookup")),
        await api.client.post(
            "/v1/stores/temporary-cards", json={"store_id": "k-market-1"}, headers=api.as_service("cards:issue")
        ),
        await api.client.get("/v1/cards/unknown-card", headers=main.headers),
    ]

    for resp in answers:
        await c.check_response(resp)
    assert answers[0].headers["Location"].startswith("/v1/cards/")
    assert answers[1].headers["Location"] == f"/v1/cards/{(await answers[1].json())['card_id']}"
