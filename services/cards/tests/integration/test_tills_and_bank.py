import asyncio

import pytest
from pymongo import AsyncMongoClient

from plussa_cards.domain.card_number import luhn_check_digit
from plussa_cards.settings import CardsSettings
from plussa_cards.testing import CardsApi, problem
from plussa_shared.testing.bus import BusProbe
from plussa_shared.testing.contract import Contract

PAYMENT_CARDS = "/v1/bank/payment-cards"


async def test_a_till_learns_state_household_and_whether_the_card_may_spend(api: CardsApi) -> None:
    main = await api.apply()
    parallel = await api.add_parallel(main)

    main_card = await api.look_up(main.card["card_number"])
    parallel_card = await api.look_up(parallel.card["card_number"])

    assert main_card["state"] == "active"
    assert main_card["household_id"] == main.household_id
    assert (main_card["can_earn"], main_card["can_spend"]) == (True, True)
    # A parallel holder spends only once the main holder grants it.
    assert (parallel_card["can_earn"], parallel_card["can_spend"]) == (True, False)


async def test_look_ups_need_the_till_scope_and_a_well_formed_number(api: CardsApi) -> None:
    main = await api.apply()
    url = f"/v1/lookup/cards/{main.card['card_number']}"
    unknown = "604012999999999" + luhn_check_digit("604012999999999")

    anonymous = await api.client.get(url)
    customer = await api.client.get(url, headers=main.headers)
    bank = await api.client.get(url, headers=api.as_service("cards:bank"))
    till = api.as_service("cards:lookup")
    malformed = await api.client.get("/v1/lookup/cards/1234567812345678", headers=till)
    missing = await api.client.get(f"/v1/lookup/cards/{unknown}", headers=till)

    assert anonymous.status == 401
    assert (customer.status, bank.status) == (403, 403)
    assert await problem(malformed) == (422, "invalid-card-number")
    assert await problem(missing) == (404, "card-not-found")


async def test_the_bank_links_a_mastercard_by_token_and_last_four_digits(
    api: CardsApi, bus: BusProbe, cards_settings: CardsSettings, mongo_url: str
) -> None:
    main = await api.apply()
    body = {"person_id": main.person_id, "network": "mastercard", "network_token": "MC-TOK-8f3a2b9c", "last4": "4444"}

    resp = await api.client.post(PAYMENT_CARDS, json=body, headers=api.as_service("cards:bank"))

    assert resp.status == 201, await resp.text()
    linked = await resp.json()
    assert (linked["household_id"], linked["last4"], linked["state"]) == (main.household_id, "4444", "active")
    assert "network_token" not in linked
    [event] = await bus.wait_for("fi.plussa.cards.payment_card.linked")
    assert event["data"]["network_token"] == "MC-TOK-8f3a2b9c"
    assert event["data"]["household_id"] == main.household_id
    assert event["data"]["person_id"] == main.person_id
    assert event["data"]["last4"] == "4444"
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_url)
    try:
        stored = await client[cards_settings.mongo_database]["payment_cards"].find_one({}, {"_id": 0})
    finally:
        await client.close()
    assert stored is not None
    assert set(stored) == {"household_id", "person_id", "network", "network_token", "last4", "linked_at", "state"}


@pytest.mark.parametrize(
    ("token", "last4", "status", "slug"),
    [
        ("5555555555554444", "4444", 422, "full-card-number-refused"),
        ("5555 5555 5555 4444", "4444", 422, "full-card-number-refused"),
        ("tok-5555-5555-5555-4444", "4444", 422, "full-card-number-refused"),
        ("MC-TOK-8f3a2b9c", "5555555555554444", 422, "full-card-number-refused"),
        ("MC-TOK-8f3a2b9c", "44x4", 422, "invalid-last4"),
    ],
)
async def test_anything_that_looks_like_a_full_card_number_is_refused_and_not_stored(
    api: CardsApi, bus: BusProbe, token: str, last4: str, status: int, slug: str
) -> None:
    main = await api.apply()
    await bus.wait_for("fi.plussa.cards.card.issued")
    body = {"person_id": main.person_id, "network_token": token, "last4": last4}

    resp = await api.client.post(PAYMENT_CARDS, json=body, headers=api.as_service("cards:bank"))

    assert await problem(resp) == (status, slug)
    assert "5555" not in await resp.text()
    await asyncio.sleep(0.2)
    assert bus.of_type("fi.plussa.cards.payment_card.linked") == []


async def test_a_card_number_in_an_unknown_field_is_refused_without_echoing_it(api: CardsApi) -> None:
    main = await api.apply()
    body = {"person_id": main.person_id, "network_token": "MC-TOK-1", "last4": "4444", "pan": "5555555555554444"}

    resp = await api.client.post(PAYMENT_CARDS, json=body, headers=api.as_service("cards:bank"))

    assert await problem(resp) == (422, "validation-failed")
    assert "5555555555554444" not in await resp.text()


async def test_payment_cards_link_once_to_members_only_and_block_once(api: CardsApi, bus: BusProbe) -> None:
    main = await api.apply()
    bank = api.as_service("cards:bank")
    body = {"person_id": main.person_id, "network_token": "MC-TOK-aa11bb22", "last4": "0001"}
    first = await (await api.client.post(PAYMENT_CARDS, json=body, headers=bank)).json()

    again = await api.client.post(PAYMENT_CARDS, json=body, headers=bank)
    stranger = await api.client.post(PAYMENT_CARDS, json={**body, "person_id": "nobody"}, headers=bank)
    by_store = await api.client.post(PAYMENT_CARDS, json=body, headers=api.as_service("cards:issue"))
    block_url = f"{PAYMENT_CARDS}/{first['payment_card_id']}/block"
    blocked = await api.client.post(block_url, json={"reason": "stolen"}, headers=bank)
    twice = await api.client.post(block_url, json={"reason": "stolen"}, headers=bank)
    unknown = await api.client.post(f"{PAYMENT_CARDS}/nope/block", json={"reason": "stolen"}, headers=bank)

    assert await problem(again) == (409, "payment-card-already-linked")
    assert await problem(stranger) == (404, "member-not-found")
    assert by_store.status == 403
    assert (await blocked.json())["state"] == "blocked"
    assert await problem(twice) == (409, "payment-card-already-blocked")
    assert await problem(unknown) == (404, "payment-card-not-found")
    [event] = await bus.wait_for("fi.plussa.cards.payment_card.blocked")
    assert event["data"]["network_token"] == "MC-TOK-aa11bb22"
    assert event["data"]["reason"] == "stolen"


@pytest.mark.parametrize(("lang", "title_word"), [("fi", "Kadonnut"), ("sv", "Borttappat"), ("en", "Lost")])
async def test_lost_card_instructions_are_served_in_each_language(api: CardsApi, lang: str, title_word: str) -> None:
    resp = await api.client.get("/v1/help/lost-card", headers={"Accept-Language": f"{lang}-FI, en;q=0.1"})

    assert resp.status == 200
    assert resp.headers["Content-Language"] == lang
    assert resp.headers["Cache-Control"].startswith("public, max-age=")
    assert "Accept-Language" in resp.headers["Vary"]
    body = await Contract.of(api.client.app).check_response(resp)
    assert body["language"] == lang
    assert title_word in body["title"]
    assert len(body["steps"]) >= 3


async def test_lost_card_instructions_default_to_finnish_and_refuse_the_old_lang_parameter(api: CardsApi) -> None:
    default = await (await api.client.get("/v1/help/lost-card")).json()
    german = await api.client.get("/v1/help/lost-card", headers={"Accept-Language": "de"})
    old_parameter = await api.client.get("/v1/help/lost-card?lang=sv")

    assert default["language"] == "fi"
    assert (await german.json())["language"] == "fi"
    assert german.headers["Content-Language"] == "fi"
    assert await problem(old_parameter) == (422, "validation-failed")
