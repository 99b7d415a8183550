"""Contact preferences, the consent history and the chains people choose from."""

from plussa_notifications.commands import add_chain
from plussa_notifications.domain.chains import Chain
from plussa_shared.testing.bus import bus_probe

from .conftest import Harness


async def choose(harness: Harness, person_id: str, consents: dict, **headers: str):  # type: ignore[no-untyped-def]
    return await harness.client.patch(
        "/v1/me/preferences", json={"consents": consents}, headers={**harness.customer(person_id), **headers}
    )


async def test_a_person_opts_in_and_out_and_reads_the_state_and_the_history(harness: Harness) -> None:
    async with bus_probe(*harness.amqp, "notifications.preference.#") as probe:
        changed = await choose(harness, "p1", {"k-citymarket": True, "k-rauta": True})
        again = await choose(harness, "p1", {"k-rauta": False}, **{"If-Match": changed.headers["ETag"]})
        events = await probe.wait_for("fi.plussa.notifications.preference.changed", count=3)

    state = await harness.client.get("/v1/me/preferences", headers=harness.customer("p1"))
    history = await harness.client.get("/v1/me/consents", headers=harness.customer("p1"))

    assert (changed.status, again.status, state.status) == (200, 200, 200)
    assert state.headers["ETag"] == '"2"'
    chosen = {c["chain_id"]: c["consented"] for c in (await state.json())["chains"]}
    assert chosen["k-citymarket"] is True
    assert chosen["k-rauta"] is False
    assert chosen["neste-k"] is False
    items = (await history.json())["items"]
    assert (items[0]["chain_id"], items[0]["consented"], items[0]["source"]) == ("k-rauta", False, "portal")
    assert {(i["chain_id"], i["consented"], i["source"]) for i in items[1:]} == {
        ("k-citymarket", True, "portal"),
        ("k-rauta", True, "portal"),
    }
    assert all(i["wording_version"] == "2026-11" for i in items)
    assert {(e["data"]["chain_id"], e["data"]["consented"]) for e in events} == {
        ("k-citymarket", True),
        ("k-rauta", True),
        ("k-rauta", False),
    }


async def test_an_unknown_chain_is_refused_and_changes_nothing(harness: Harness) -> None:
    refused = await choose(harness, "p2", {"k-citymarket": True, "k-nowhere": True})
    state = await harness.client.get("/v1/me/preferences", headers=harness.customer("p2"))

    problem = await refused.json()
    assert refused.status == 422
    assert problem["type"] == "https://api.plussa.fi/problems/unknown-chain"
    assert problem["chains"] == ["k-nowhere"]
    assert all(not c["consented"] for c in (await state.json())["chains"])
    assert await harness.ctx.store.ledger("p2") == []


async def test_a_malformed_chain_id_or_a_string_for_a_boolean_is_refused(harness: Harness) -> None:
    bad_id = await choose(harness, "p3", {"K CITY\u0000": True})
    bad_value = await choose(harness, "p3", {"k-citymarket": "true"})

    assert bad_id.status == 422
    assert bad_value.status == 422
    assert await harness.ctx.store.ledger("p3") == []


async def test_a_change_against_a_stale_version_is_refused_and_changes_nothing(harness: Harness) -> None:
    await choose(harness, "p4", {"k-market": True})

    stale = await choose(harness, "p4", {"k-market": False}, **{"If-Match": '"0"'})
    state = await harness.client.get("/v1/me/preferences", headers=harness.customer("p4"))

    assert stale.status == 412
    assert (await stale.json())["type"] == "https://api.plussa.fi/problems/precondition-failed"
    assert {c["chain_id"]: c["consented"] for c in (await state.json())["chains"]}["k-market"] is True


async def test_the_consent_history_pages_newest_first(harness: Harness) -> None:
    for consented in (True, False, True, False, True):
        await choose(harness, "p5", {"k-auto": consented})

    first = await (await harness.client.get("/v1/me/consents?limit=2", headers=harness.customer("p5"))).json()
    cursor = first["next_cursor"]
    second = await (
        await harness.client.get(f"/v1/me/consents?limit=2&cursor={cursor}", headers=harness.customer("p5"))
    ).json()
    third = await (
        await harness.client.get(
            f"/v1/me/consents?limit=2&cursor={second['next_cursor']}", headers=harness.customer("p5")
        )
    ).json()
    bad = await harness.client.get("/v1/me/consents?cursor=bm90LWEtY3Vyc29y", headers=harness.customer("p5"))

    seen = [i["consented"] for page in (first, second, third) for i in page["items"]]
    assert seen == [True, False, True, False, True]
    assert third["next_cursor"] is None
    assert bad.status == 422


async def test_customer_service_records_a_change_with_its_source_and_a_customer_cannot(harness: Harness) -> None:
    operator = harness.tokens.bearer(harness.tokens.operator("cs-1", "notifications:customer-service"))

    recorded = await harness.client.patch(
        "/v1/people/p6/preferences", json={"consents": {"k-rauta": True}}, headers=operator
    )
    refused = await harness.client.patch(
        "/v1/people/p7/preferences", json={"consents": {"k-rauta": True}}, headers=harness.customer("p6")
    )
    history = await (await harness.client.get("/v1/me/consents", headers=harness.customer("p6"))).json()

    assert recorded.status == 200
    assert refused.status == 403
    assert [i["source"] for i in history["items"]] == ["customer_service"]


async def test_the_chains_are_public_cacheable_reference_data_that_operators_extend(harness: Harness) -> None:
    operator = harness.tokens.bearer(harness.tokens.operator("ops-1", "ops"))
    new_chain = {"chain_id": "k-kenka", "kind": "partner", "names": {"fi": "K-Kenkä", "sv": "K-Sko", "en": "K-Shoe"}}

    listed = await harness.client.get("/v1/chains")
    added = await harness.client.post("/v1/chains", json=new_chain, headers=operator)
    twice = await harness.client.post("/v1/chains", json=new_chain, headers=operator)
    by_customer = await harness.client.post(
        "/v1/chains", json={**new_chain, "chain_id": "x-y"}, headers=harness.customer("p8")
    )
    chosen = await choose(harness, "p8", {"k-kenka": True})

    ids = [c["chain_id"] for c in (await listed.json())["items"]]
    assert listed.headers["Cache-Control"] == "public, max-age=300"
    assert {"k-citymarket", "k-supermarket", "k-market", "k-rauta", "k-auto", "neste-k"} <= set(ids)
    assert added.status == 201
    assert twice.status == 409
    assert (await twice.json())["type"] == "https://api.plussa.fi/problems/chain-exists"
    assert by_customer.status == 403
    assert chosen.status == 200


async def test_an_unchanged_preferences_read_is_a_304_with_if_none_match(harness: Harness) -> None:
    changed = await choose(harness, "p9", {"k-market": True})

    again = await harness.client.get(
        "/v1/me/preferences", headers={**harness.customer("p9"), "If-None-Match": changed.headers["ETag"]}
    )

    assert changed.headers["ETag"] == '"1"'
    assert again.status == 304


async def test_an_operator_adds_a_partner_from_the_command_line_and_people_can_choose_it(harness: Harness) -> None:
    chain = Chain.model_validate(
        {"chain_id": "k-kenka", "kind": "partner", "names": {"fi": "K-Kenkä", "sv": "K-Sko", "en": "K-Shoe"}},
        strict=False,
    )

    await add_chain.run(harness.settings, chain)
    listed = await (await harness.client.get("/v1/chains")).json()
    chosen = await choose(harness, "p10", {"k-kenka": True})

    assert "k-kenka" in [c["chain_id"] for c in listed["items"]]
    assert chosen.status == 200
