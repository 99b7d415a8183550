"""Data export and erasure across the services, with progress."""

import asyncio
from dataclasses import replace
from typing import Any

import pytest

from plussa_identity.context import IdentityContext
from plussa_identity.domain.privacy import receipt_key
from plussa_identity.testing import CardsFeed, Holder, IdentityApi, until_card_known
from plussa_shared.testing.bus import BusProbe, drain, envelope, publish
from plussa_shared.testing.privacy import LATE_VERSIONS, documents_naming, late_version

PASSWORD = "kesäinen mökkiranta 42"
PROBLEMS = "https://api.plussa.fi/problems/"


async def answer(cards: CardsFeed, service: str, kind: str, request_id: str, person_id: str, **data: Any) -> None:
    event = envelope(
        f"fi.plussa.{service}.{kind}.completed",
        {"request_id": request_id, "person_id": person_id, "service": service, **data},
        source=f"/plussa/{service}",
    )
    # Export answers carry personal data: they travel on identity's private exchange
    # (named ``<internal exchange>.private.identity`` in tests).
    target = f"{cards.exchange}.private.identity" if kind == "export" else cards.exchange
    await publish(cards.amqp_url, target, event)


async def until_status(client: Any, path: str, auth: dict[str, str], status: str, answered: int) -> dict[str, Any]:
    for _ in range(200):
        body: dict[str, Any] = await (await client.get(path, headers=auth)).json()
        done = [p for p in body.get("participants", []) if p["status"] == "completed"]
        if body.get("status") == status and len(done) >= answered:
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"{path} did not reach {status} with {answered} answers: {body}")


async def until_handled(identity: IdentityContext, event_id: str) -> None:
    """Wait until the consumer handled the event: its id is in the inbox, written in the
    handler's own transaction (so it was absorbed, not dead-lettered)."""
    for _ in range(200):
        if await identity.store.db["inbox"].find_one({"_id": event_id}):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"event {event_id} was not handled")


async def test_an_export_shows_progress_and_downloads_once_every_service_has_answered(
    client: Any, cards: CardsFeed, probe: BusProbe, holder: Holder
) -> None:
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    auth = api.bearer(await api.login("aino@example.fi", PASSWORD))
    started = await (await client.post("/v1/me/data-exports", headers=auth)).json()
    path = f"/v1/me/data-exports/{started['request_id']}"
    assert [(p["service"], p["status"]) for p in started["participants"]] == [
        ("identity", "completed"),
        ("cards", "pending"),
        ("points", "pending"),
    ]
    [asked] = await probe.wait_for("fi.plussa.identity.export.requested")
    assert asked["data"] | {"occurred_at": None} == {
        "request_id": started["request_id"],
        "person_id": holder.person_id,
        "household_id": holder.household_id,
        "occurred_at": None,
    }
    early = await client.get(f"{path}/download", headers=auth)
    assert early.status == 409
    assert (await early.json())["type"] == PROBLEMS + "export-not-ready"

    await answer(cards, "cards", "export", started["request_id"], holder.person_id, data={"cards": ["c1"]})
    await until_status(client, path, auth, "pending", 2)
    await answer(cards, "points", "export", started["request_id"], holder.person_id, data={"balance_cents": 512})
    await until_status(client, path, auth, "completed", 3)

    download = await client.get(f"{path}/download", headers=auth)
    assert download.status == 200
    assert "attachment" in download.headers["Content-Disposition"]
    document = await download.json()
    assert document["services"]["cards"] == {"cards": ["c1"]}
    assert document["services"]["points"] == {"balance_cents": 512}
    assert document["services"]["identity"]["profile"]["email"] == "aino@example.fi"
    assert "password_hash" not in document["services"]["identity"]["profile"]


async def test_another_person_cannot_see_or_download_my_export(
    client: Any, identity: IdentityContext, cards: CardsFeed, probe: BusProbe, holder: Holder
) -> None:
    api = IdentityApi(client, probe)
    parallel = await cards.parallel(holder)
    await until_card_known(identity, parallel)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    await api.registered(parallel, "eetu@example.fi", PASSWORD)
    aino = api.bearer(await api.login("aino@example.fi", PASSWORD))
    eetu = api.bearer(await api.login("eetu@example.fi", PASSWORD))
    mine = await (await client.post("/v1/me/data-exports", headers=aino)).json()
    for path in (f"/v1/me/data-exports/{mine['request_id']}", f"/v1/me/data-exports/{mine['request_id']}/download"):
        response = await client.get(path, headers=eetu)
        assert response.status == 404
        assert (await response.json())["type"] == PROBLEMS + "privacy-request-not-found"


async def test_erasure_ends_with_the_login_once_every_other_service_has_answered(
    client: Any, identity: IdentityContext, cards: CardsFeed, probe: BusProbe, holder: Holder
) -> None:
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    tokens = await api.login("aino@example.fi", PASSWORD)
    auth = api.bearer(tokens)
    started = await client.post("/v1/me/erasure-requests", headers=auth)
    assert started.status == 202
    request_id = (await started.json())["request_id"]
    await probe.wait_for("fi.plussa.identity.erasure.requested")

    await answer(cards, "cards", "erasure", request_id, holder.person_id, occurred_at="2026-03-01T12:00:00+00:00")
    progress = await until_status(client, f"/v1/me/erasure-requests/{request_id}", auth, "pending", 1)
    assert {p["service"]: p["status"] for p in progress["participants"]} == {
        "identity": "pending",
        "cards": "completed",
        "points": "pending",
    }
    await answer(cards, "points", "erasure", request_id, holder.person_id, occurred_at="2026-03-01T12:00:01+00:00")
    [done] = await probe.wait_for("fi.plussa.identity.erasure.completed")
    assert (done["data"]["request_id"], done["data"]["person_id"]) == (request_id, holder.person_id)
    [ended] = await probe.wait_for("fi.plussa.identity.session.ended", lambda e: e["data"]["reason"] == "erased")
    assert ended["data"]["session_id"] == tokens["session_id"]

    assert (await client.post("/v1/sessions", json={"email": "aino@example.fi", "password": PASSWORD})).status == 401
    assert (await client.post("/v1/sessions/refresh", json={"refresh_token": tokens["refresh_token"]})).status == 401
    db = identity.store.db
    assert await db["accounts"].find_one({"_id": holder.person_id}) is None
    for name in ("sessions", "link_tokens", "memberships", "cards"):
        assert await db[name].count_documents({"person_id": holder.person_id}) == 0, name
    assert await db["trusted_addresses"].count_documents({"_id": {"$regex": f"^{holder.person_id}"}}) == 0
    assert await identity.store.member(holder.person_id) is None
    erased = await db["people"].find_one({"erased": True})
    assert erased is not None
    assert erased["_id"] == receipt_key(holder.person_id)
    assert erased["date_of_birth"] is None
    # the receipt of the erasure: when and who answered, under the digest of the id only
    receipt = await db["privacy_requests"].find_one({"_id": request_id})
    assert receipt is not None
    assert (receipt["person_id"], receipt["household_id"]) == (receipt_key(holder.person_id), None)
    assert set(receipt["answers"]) == {"cards", "points", "identity"}
    assert receipt["completed_at"] is not None
    again = await api.register(holder, "aino@example.fi", PASSWORD)
    assert again.status == 422


async def test_an_answer_to_a_request_that_does_not_exist_is_dead_lettered(
    client: Any, cards: CardsFeed, settings: Any
) -> None:
    await answer(cards, "cards", "export", "no-such-request", "p-1", data={})
    queue = f"{settings.amqp_queue_prefix}identity.events.dead"
    [message] = await drain(cards.amqp_url, queue)
    assert message.headers["x-plussa-dead-reason"] == "privacy-request-not-found"


@LATE_VERSIONS
@pytest.mark.parametrize("closed_first", [True, False], ids=["card-closed-first", "card-not-closed-yet"])
async def test_an_older_card_event_arriving_after_the_erasure_brings_back_nothing_naming_the_person(
    client: Any,
    identity: IdentityContext,
    cards: CardsFeed,
    probe: BusProbe,
    holder: Holder,
    names_holder: bool,
    closed_first: bool,
) -> None:
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    auth = api.bearer(await api.login("aino@example.fi", PASSWORD))
    request_id = (await (await client.post("/v1/me/erasure-requests", headers=auth)).json())["request_id"]
    await probe.wait_for("fi.plussa.identity.erasure.requested")
    card = late_version(holder.snapshot(), names_holder)
    late = envelope("fi.plussa.cards.card.issued", {"card": card}, subject=f"card/{holder.card_id}")
    # Cards closes the card for the erasure (its event may come after all the rest) and
    # answers; then points answers.
    if closed_first:
        await cards.card("closed", replace(holder, state="closed", version=2), reason="erased")
    for service in ("cards", "points"):
        await answer(cards, service, "erasure", request_id, holder.person_id, occurred_at="2026-03-01T12:00:00+00:00")
    await probe.wait_for("fi.plussa.identity.erasure.completed")

    # The card's first version, delivered again late; then another person's card.
    await publish(cards.amqp_url, cards.exchange, late)
    other = await cards.household()
    await until_card_known(identity, other)
    await until_handled(identity, late["id"])
    needles = (holder.person_id, holder.household_id, holder.card_id, holder.card_number)
    assert await documents_naming(identity.store.db, needles) == []
    assert await identity.store.card_by_number(holder.card_number) is None


@LATE_VERSIONS
async def test_an_older_card_event_after_the_card_was_closed_for_the_erasure_does_not_bring_the_card_back(
    identity: IdentityContext, cards: CardsFeed, holder: Holder, names_holder: bool
) -> None:
    card = late_version(holder.snapshot(), names_holder)
    late = envelope("fi.plussa.cards.card.issued", {"card": card}, subject=f"card/{holder.card_id}")
    await cards.card("closed", replace(holder, state="closed", version=2), reason="erased")
    for _ in range(200):
        if await identity.store.card_by_number(holder.card_number) is None:
            break
        await asyncio.sleep(0.05)
    await publish(cards.amqp_url, cards.exchange, late)
    await until_handled(identity, late["id"])

    assert await identity.store.card_by_number(holder.card_number) is None
