import asyncio
import os
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from pymongo import AsyncMongoClient

from plussa_cards.context import CardsContext
from plussa_cards.domain.card_number import luhn_check_digit
from plussa_cards.domain.dates import add_months
from plussa_cards.settings import CardsSettings
from plussa_cards.testing import CardsApi, problem
from plussa_cards.use_cases.temporary_cards import expire_temporary_cards
from plussa_shared.keys import context_of
from plussa_shared.testing.bus import BusProbe

LINK = "/v1/me/temporary-cards/link"


async def issue_temporary(api: CardsApi) -> dict[str, object]:
    resp = await api.client.post(
        "/v1/stores/temporary-cards", json={"store_id": "k-market-kallio"}, headers=api.as_service("cards:issue")
    )
    assert resp.status == 201, await resp.text()
    card: dict[str, object] = await resp.json()
    return card


async def test_a_store_issues_a_temporary_card_that_earns_but_cannot_spend(api: CardsApi, bus: BusProbe) -> None:
    card = await issue_temporary(api)

    assert card["kind"] == "temporary"
    assert card["state"] == "active"
    assert (card["household_id"], card["person_id"]) == (None, None)
    assert (card["can_earn"], card["can_spend"]) == (True, False)
    assert card["valid_until"] == add_months(datetime.now(UTC).date(), 3).isoformat()
    till = await api.look_up(str(card["card_number"]))
    assert (till["can_earn"], till["can_spend"]) == (True, False)
    [issued] = await bus.wait_for("fi.plussa.cards.card.issued")
    assert issued["data"]["card"]["household_id"] is None


async def test_a_member_links_a_temporary_card_to_their_account(api: CardsApi, bus: BusProbe) -> None:
    main = await api.apply()
    card = await issue_temporary(api)
    number = str(card["card_number"])
    spaced = " ".join(number[i : i + 4] for i in range(0, 16, 4))

    resp = await api.client.post(LINK, json={"card_number": spaced}, headers=main.headers)

    assert resp.status == 200, await resp.text()
    linked = await resp.json()
    assert (linked["household_id"], linked["person_id"], linked["valid_until"]) == (
        main.household_id,
        main.person_id,
        None,
    )
    assert (linked["can_earn"], linked["can_spend"]) == (True, False)
    till = await api.look_up(number)
    assert (till["household_id"], till["can_spend"]) == (main.household_id, False)
    [event] = await bus.wait_for("fi.plussa.cards.card.linked")
    assert event["data"]["card"]["household_id"] == main.household_id
    assert event["data"]["card"]["version"] == 2


async def test_a_linked_temporary_card_cannot_be_taken_by_another_household(api: CardsApi) -> None:
    owner = await api.apply()
    other = await api.apply("Outi")
    card = await issue_temporary(api)
    await api.client.post(LINK, json={"card_number": card["card_number"]}, headers=owner.headers)

    by_other = await api.client.post(LINK, json={"card_number": card["card_number"]}, headers=other.headers)
    by_owner = await api.client.post(LINK, json={"card_number": card["card_number"]}, headers=owner.headers)
    someones_main_card = await api.client.post(
        LINK, json={"card_number": owner.card["card_number"]}, headers=other.headers
    )

    assert await problem(by_other) == (404, "card-not-found")
    assert await problem(by_owner) == (409, "card-not-linkable")
    assert await problem(someones_main_card) == (404, "card-not-found")
    assert (await api.look_up(str(card["card_number"])))["household_id"] == owner.household_id


async def test_invalid_card_numbers_are_refused_before_any_look_up(api: CardsApi) -> None:
    main = await api.apply()
    valid_but_unknown = "604012000000000" + luhn_check_digit("604012000000000")
    mistyped = valid_but_unknown[:-1] + str((int(valid_but_unknown[-1]) + 1) % 10)

    answers = [
        await problem(await api.client.post(LINK, json={"card_number": raw}, headers=main.headers))
        for raw in (mistyped, "12345", "abcdabcdabcdabcd", valid_but_unknown + "0")
    ]
    unknown = await api.client.post(LINK, json={"card_number": valid_but_unknown}, headers=main.headers)

    assert answers == [(422, "invalid-card-number")] * 4
    assert await problem(unknown) == (404, "card-not-found")


async def test_unlinked_temporary_cards_expire_after_their_validity_once(api: CardsApi, bus: BusProbe) -> None:
    main = await api.apply()
    stale = await issue_temporary(api)
    kept = await issue_temporary(api)
    await api.client.post(LINK, json={"card_number": kept["card_number"]}, headers=main.headers)
    ctx = context_of(api.client.server.app, CardsContext)
    last_day = date.fromisoformat(str(stale["valid_until"]))
    on_last_day = datetime.combine(last_day, datetime.min.time(), UTC) + timedelta(hours=23)

    def at(moment: datetime) -> CardsContext:
        return replace(ctx, clock=lambda: moment)

    assert await expire_temporary_cards(at(on_last_day)) == 0
    assert await expire_temporary_cards(at(on_last_day + timedelta(hours=1))) == 1
    assert await expire_temporary_cards(at(on_last_day + timedelta(days=30))) == 0

    [expired] = await bus.wait_for("fi.plussa.cards.card.expired")
    assert expired["data"]["card"]["card_id"] == stale["card_id"]
    assert expired["data"]["card"]["state"] == "expired"
    assert (await api.look_up(str(stale["card_number"])))["can_earn"] is False
    assert (await api.look_up(str(kept["card_number"])))["state"] == "active"
    too_late = await api.client.post(LINK, json={"card_number": stale["card_number"]}, headers=main.headers)
    assert await problem(too_late) == (409, "card-not-linkable")


async def test_the_expiry_command_expires_due_cards_and_can_run_again(
    api: CardsApi, bus: BusProbe, cards_settings: CardsSettings, mongo_url: str
) -> None:
    card = await issue_temporary(api)
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_url)
    try:
        yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
        await client[cards_settings.mongo_database]["cards"].update_one(
            {"_id": card["card_id"]}, {"$set": {"valid_until": yesterday}}
        )
    finally:
        await client.close()
    env = {
        **os.environ,
        "PLUSSA_CARDS_MONGO_URL": mongo_url,
        "PLUSSA_CARDS_MONGO_DATABASE": cards_settings.mongo_database,
        "PLUSSA_CARDS_LOG_FORMAT": "json",
    }

    for _ in range(2):
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "plussa_cards.commands.expire_temporary_cards",
            env=env,
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await process.communicate()
        assert process.returncode == 0

    assert b'"count": 0' in out
    [expired] = await bus.wait_for("fi.plussa.cards.card.expired")
    assert expired["data"]["card"]["card_id"] == card["card_id"]
    await asyncio.sleep(0.3)
    assert len(bus.of_type("fi.plussa.cards.card.expired")) == 1
