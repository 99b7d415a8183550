"""Nothing is left without a manager: erasing a main holder who has parallel holders, and a removed
parallel holder's K-Plussa MasterCard."""

import asyncio
from typing import Any

from plussa_cards.testing import CardsApi, Holder
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.bus import BusProbe, envelope, publish

PAYMENT_CARDS = "/v1/bank/payment-cards"


async def until_consuming(api: CardsApi) -> None:
    for _ in range(100):
        if (await api.client.get("/health/ready")).status == 200:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the cards service did not become ready")


def erasure(holder: Holder, **extra: Any) -> dict[str, object]:
    return envelope(
        "fi.plussa.identity.erasure.requested",
        {
            "request_id": f"req-erasure-{holder.person_id}",
            "person_id": holder.person_id,
            "household_id": holder.household_id,
            "occurred_at": "2026-11-25T10:00:00+00:00",
            **extra,
        },
        source="/plussa/identity",
    )


async def link_mastercard(api: CardsApi, holder: Holder, token: str) -> dict[str, Any]:
    resp = await api.client.post(
        PAYMENT_CARDS,
        json={"person_id": holder.person_id, "network_token": token, "last4": "4242"},
        headers=api.as_service("cards:bank"),
    )
    assert resp.status == 201, await resp.text()
    linked: dict[str, Any] = await resp.json()
    return linked


async def test_erasing_a_main_holder_with_parallel_holders_is_refused_until_they_hand_over(
    api: CardsApi, bus: BusProbe, amqp_url: str, cards_settings: ServiceSettings
) -> None:
    main = await api.apply("Aino")
    parallel = await api.add_parallel(main)
    await until_consuming(api)

    await publish(amqp_url, cards_settings.amqp_exchange, erasure(main))

    [refused] = await bus.wait_for("fi.plussa.cards.erasure.refused")
    assert refused["data"]["reason"] == "hand-over-first"
    assert (refused["data"]["request_id"], refused["data"]["person_id"]) == (
        f"req-erasure-{main.person_id}",
        main.person_id,
    )
    household = await (await api.client.get("/v1/me/household", headers=main.headers)).json()
    assert [(m["person_id"], m["first_name"]) for m in household["members"]] == [
        (main.person_id, "Aino"),
        (parallel.person_id, "Matti"),
    ]
    assert (await api.look_up(main.card["card_number"]))["state"] == "active"
    assert bus.of_type("fi.plussa.cards.erasure.completed") == []


async def test_closing_the_household_moves_each_parallel_holder_with_their_cards_before_the_main_holder_is_erased(
    api: CardsApi, bus: BusProbe, amqp_url: str, cards_settings: ServiceSettings
) -> None:
    main = await api.apply("Aino")
    parallel = await api.add_parallel(main, "Eero")
    mastercard = await link_mastercard(api, parallel, "MC-TOK-close-0001")
    await until_consuming(api)

    await publish(amqp_url, cards_settings.amqp_exchange, erasure(main, close_household=True))

    await bus.wait_for("fi.plussa.cards.erasure.completed")
    own = await (await api.client.get("/v1/me/household", headers=parallel.headers)).json()
    assert own["household_id"] != main.household_id
    assert own["role"] == "main"
    [me] = own["members"]
    assert (me["person_id"], me["role"], me["can_use_money"]) == (parallel.person_id, "main", True)
    assert [c["card_id"] for c in me["cards"]] == [parallel.card["card_id"]]
    till = await api.look_up(parallel.card["card_number"])
    assert (till["household_id"], till["can_spend"]) == (own["household_id"], True)
    [created] = await bus.wait_for(
        "fi.plussa.cards.household.created", lambda e: e["data"]["main_person_id"] == parallel.person_id
    )
    assert created["data"]["household_id"] == own["household_id"]
    [moved] = await bus.wait_for("fi.plussa.cards.card.linked")
    assert moved["data"]["card"]["household_id"] == own["household_id"]
    relinked = await bus.wait_for("fi.plussa.cards.payment_card.linked", count=2)
    assert relinked[-1]["data"]["household_id"] == own["household_id"]
    assert relinked[-1]["data"]["payment_card_id"] == mastercard["payment_card_id"]
    erased = await api.client.get(
        f"/v1/lookup/cards/{main.card['card_number']}", headers=api.as_service("cards:lookup")
    )
    assert erased.status == 404  # closed, and no longer under its number
    [closed] = await bus.wait_for("fi.plussa.cards.card.closed")
    assert (closed["data"]["card"]["card_id"], closed["data"]["reason"]) == (main.card["card_id"], "erased")


async def test_a_removed_parallel_holders_mastercard_leaves_the_household_with_them_and_follows_them(
    api: CardsApi, bus: BusProbe
) -> None:
    main = await api.apply()
    leaving = await api.add_parallel(main, "Kalle")
    linked = await link_mastercard(api, leaving, "MC-TOK-leave-0001")

    await api.client.delete(f"/v1/me/household/parallel-holders/{leaving.person_id}", headers=main.headers)

    [unlinked] = await bus.wait_for("fi.plussa.cards.payment_card.unlinked")
    assert unlinked["data"]["payment_card_id"] == linked["payment_card_id"]
    assert unlinked["data"]["household_id"] == main.household_id
    assert unlinked["data"]["network_token"] == "MC-TOK-leave-0001"
    bank = api.as_service("cards:bank")
    state = await (await api.client.get(f"{PAYMENT_CARDS}/{linked['payment_card_id']}", headers=bank)).json()
    assert state["state"] == "unlinked"
    # They join on their own; the bank links the same card to their new membership.
    resp = await api.client.post(
        "/v1/applications",
        json={
            "first_name": "Kalle",
            "last_name": "Uusi-Testinen",
            "date_of_birth": "1990-02-03",
            "email": "kalle.uusi@example.fi",
            "address": {"street": "Kauppakatu 2", "postal_code": "40100", "city": "Jyväskylä"},
        },
    )
    rejoined = await resp.json()
    again = await link_mastercard(
        api, Holder(rejoined["person_id"], rejoined["household_id"], rejoined["card"], {}), "MC-TOK-leave-0001"
    )
    assert again["payment_card_id"] == linked["payment_card_id"]
    assert (again["household_id"], again["state"]) == (rejoined["household_id"], "active")
