"""A main holder with parallel holders: erasure refused until they hand the household over
or ask for it to be closed; cards' refusal ends a request with the login kept; tokens
issued after a hand-over carry the new roles."""

import asyncio
from typing import Any

import jwt

from plussa_identity.context import IdentityContext
from plussa_identity.testing import CardsFeed, Holder, IdentityApi, until_card_known
from plussa_shared.testing.bus import BusProbe, envelope, publish

PASSWORD = "kesäinen mökkiranta 42"
PROBLEMS = "https://api.plussa.fi/problems/"
ERASURE = "/v1/me/erasure-requests"


def claims(tokens: dict[str, Any]) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    return decoded


async def hand_over(cards: CardsFeed, main: Holder, successor: Holder) -> None:
    """What cards publishes when ``main`` hands the household over to ``successor``."""
    household, subject = main.household_id, f"household/{main.household_id}"
    await cards.publish(
        "fi.plussa.cards.household.handed_over",
        {"household_id": household, "previous_main_person_id": main.person_id, "main_person_id": successor.person_id},
        subject,
    )
    for person, role in ((successor, "main"), (main, "parallel")):
        data = {"household_id": household, "person_id": person.person_id, "role": role, "can_use_money": True}
        await cards.publish("fi.plussa.cards.member.role_changed", data, subject)


async def until_role(identity: IdentityContext, holder: Holder, role: str) -> None:
    for _ in range(200):
        member = await identity.store.member(holder.person_id)
        if member is not None and member.role == role:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{holder.person_id} never became {role}")


async def test_a_main_holder_with_a_parallel_holder_is_asked_to_hand_over_first_or_close_the_household(
    client: Any, identity: IdentityContext, cards: CardsFeed, probe: BusProbe, holder: Holder
) -> None:
    api = IdentityApi(client, probe)
    parallel = await cards.parallel(holder)
    await until_card_known(identity, parallel)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    auth = api.bearer(await api.login("aino@example.fi", PASSWORD))

    refused = await client.post(ERASURE, headers=auth)
    refused_too = await client.post(ERASURE, json={"close_household": False}, headers=auth)
    closing = await client.post(ERASURE, json={"close_household": True}, headers=auth)

    assert refused.status == 409
    problem = await refused.json()
    assert (problem["type"], problem["parallel_holders"]) == (PROBLEMS + "hand-over-first", 1)
    assert "hand" in problem["detail"].lower()
    assert "close_household" in problem["detail"]
    assert refused_too.status == 409
    assert closing.status == 202, await closing.text()
    started = await closing.json()
    assert (started["status"], started["close_household"], started["refusal"]) == ("pending", True, None)
    [asked] = await probe.wait_for("fi.plussa.identity.erasure.requested")
    assert (asked["data"]["request_id"], asked["data"]["close_household"]) == (started["request_id"], True)
    assert len(probe.of_type("fi.plussa.identity.erasure.requested")) == 1  # the refused ones asked nobody


async def test_an_erasure_body_that_is_not_the_option_is_refused(client: Any, probe: BusProbe, holder: Holder) -> None:
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    auth = api.bearer(await api.login("aino@example.fi", PASSWORD))

    not_a_boolean = await client.post(ERASURE, json={"close_household": "yes"}, headers=auth)
    unknown_field = await client.post(ERASURE, json={"close": True}, headers=auth)
    not_json = await client.post(ERASURE, data="close", headers={**auth, "Content-Type": "text/plain"})

    assert not_a_boolean.status == 422
    assert (await not_a_boolean.json())["type"] == PROBLEMS + "validation-failed"
    assert unknown_field.status == 422
    assert not_json.status == 415
    assert probe.of_type("fi.plussa.identity.erasure.requested") == []


async def test_cards_refusing_the_erasure_ends_the_request_refused_and_keeps_the_login(
    client: Any, identity: IdentityContext, cards: CardsFeed, probe: BusProbe, holder: Holder
) -> None:
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    auth = api.bearer(await api.login("aino@example.fi", PASSWORD))
    started = await (await client.post(ERASURE, headers=auth)).json()
    request_id, path = started["request_id"], f"{ERASURE}/{started['request_id']}"
    await probe.wait_for("fi.plussa.identity.erasure.requested")

    # cards learnt of a parallel holder identity had not heard of yet
    refusal = {"request_id": request_id, "person_id": holder.person_id, "service": "cards", "reason": "hand-over-first"}
    await publish(
        cards.amqp_url, cards.exchange, envelope("fi.plussa.cards.erasure.refused", refusal, source="/plussa/cards")
    )
    answer = {"request_id": request_id, "person_id": holder.person_id, "service": "points"}
    await publish(
        cards.amqp_url, cards.exchange, envelope("fi.plussa.points.erasure.completed", answer, source="/plussa/points")
    )
    for _ in range(200):
        progress = await (await client.get(path, headers=auth)).json()
        statuses = {p["service"]: p["status"] for p in progress["participants"]}
        if progress["status"] == "refused" and statuses["points"] == "completed":
            break
        await asyncio.sleep(0.05)

    assert progress["status"] == "refused"
    assert (progress["refusal"]["service"], progress["refusal"]["reason"]) == ("cards", "hand-over-first")
    assert statuses == {"identity": "pending", "cards": "refused", "points": "completed"}
    assert progress["completed_at"] is None
    assert probe.of_type("fi.plussa.identity.erasure.completed") == []
    assert (await identity.store.member(holder.person_id)) is not None
    assert (await identity.store.account(holder.person_id)) is not None
    await api.login("aino@example.fi", PASSWORD)  # the login was not erased


async def test_tokens_issued_after_a_hand_over_carry_the_new_roles_and_the_former_main_holder_may_be_erased(
    client: Any, identity: IdentityContext, cards: CardsFeed, probe: BusProbe, holder: Holder
) -> None:
    api = IdentityApi(client, probe)
    parallel = await cards.parallel(holder)
    await until_card_known(identity, parallel)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    await api.registered(parallel, "eetu@example.fi", PASSWORD)
    aino = await api.login("aino@example.fi", PASSWORD)
    eetu = await api.login("eetu@example.fi", PASSWORD)
    assert (claims(aino)["role"], claims(eetu)["role"]) == ("main", "parallel")

    await hand_over(cards, holder, parallel)
    await until_role(identity, parallel, "main")
    await until_role(identity, holder, "parallel")
    refreshed = await client.post("/v1/sessions/refresh", json={"refresh_token": eetu["refresh_token"]})
    assert refreshed.status == 200, await refreshed.text()
    aino_again = await api.login("aino@example.fi", PASSWORD)

    assert (claims(await refreshed.json())["role"], claims(await refreshed.json())["hh"]) == (
        "main",
        holder.household_id,
    )
    assert claims(aino_again)["role"] == "parallel"
    member = await identity.store.member(holder.person_id)
    assert member is not None
    assert member.can_use_money
    erasing = await client.post(ERASURE, headers=api.bearer(aino_again))
    assert erasing.status == 202, await erasing.text()
