"""Identity's routes follow the HTTP conventions of docs/api-guide.md and answer what their
OpenAPI document says."""

from typing import Any

from plussa_identity.app import create_app
from plussa_identity.context import IdentityContext
from plussa_identity.settings import IdentitySettings
from plussa_identity.testing import CardsFeed, Holder, IdentityApi, until_card_known
from plussa_identity.use_cases.service_clients import create_client
from plussa_shared.keys import context_of
from plussa_shared.testing.bus import BusProbe
from plussa_shared.testing.contract import Contract, assert_routes_documented

PASSWORD = "kesäinen mökkiranta 42"
FAST = {"argon2_time_cost": 1, "argon2_memory_cost_kib": 64, "argon2_parallelism": 1}


def registration(holder: Holder, email: str = "aino@example.fi") -> dict[str, Any]:
    return {
        "card_number": holder.card_number,
        "date_of_birth": holder.date_of_birth.isoformat(),
        "email": email,
        "password": PASSWORD,
        "language": "fi",
    }


def test_every_route_has_an_operation_id_a_description_and_examples_that_fit_its_schemas(client: Any) -> None:
    assert_routes_documented(client.app)


async def test_the_main_routes_answer_as_documented_with_location_and_no_store_on_tokens(
    client: Any, identity: IdentityContext, probe: BusProbe, holder: Holder
) -> None:
    contract = Contract.of(client.app)
    registered = await client.post("/v1/registrations", json=registration(holder))
    await contract.check_response(registered)
    assert (registered.status, registered.headers["Location"]) == (201, "/v1/me/profile")
    token = await IdentityApi(client, probe).verification_token("aino@example.fi")
    await contract.check_response(await client.post("/v1/email-verifications", json={"token": token}))

    login = await client.post("/v1/sessions", json={"email": "aino@example.fi", "password": PASSWORD})
    tokens = await contract.check_response(login)
    assert login.headers["Location"] == f"/v1/me/sessions/{tokens['session_id']}"
    refreshed = await client.post("/v1/sessions/refresh", json={"refresh_token": tokens["refresh_token"]})
    tokens = await contract.check_response(refreshed)
    for answer in (login, refreshed):
        assert (answer.headers["Cache-Control"], answer.headers["Pragma"]) == ("no-store", "no-cache")
    auth = IdentityApi.bearer(tokens)

    await contract.check_response(await client.get("/v1/me/profile", headers=auth))
    await contract.check_response(await client.get("/v1/me/sessions", headers=auth))
    wrong = {"current_password": "väärä salasana 1", "new_password": "syksyinen sienimetsä 17"}
    refused = await client.put("/v1/me/password", json=wrong, headers=auth)
    assert refused.status == 403
    await contract.check_response(refused)
    export = await client.post("/v1/me/data-exports", headers=auth)
    assert export.status == 202
    await contract.check_response(export)
    await contract.check_response(await client.get("/.well-known/jwks.json"))

    created = await create_client(identity, "till-1", ["cards:lookup"], "service")
    form = {"grant_type": "client_credentials", "client_id": "till-1", "client_secret": created.client_secret}
    service_token = await client.post("/v1/oauth/token", data=form)
    await contract.check_response(service_token)
    assert (service_token.headers["Cache-Control"], service_token.headers["Pragma"]) == ("no-store", "no-cache")


async def test_the_session_list_pages_through_more_sessions_than_a_page_newest_first(
    client: Any, probe: BusProbe, holder: Holder
) -> None:
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    logins = [await api.login("aino@example.fi", PASSWORD) for _ in range(5)]
    auth = api.bearer(logins[-1])
    contract = Contract.of(client.app)
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(5):
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = await contract.check_response(await client.get("/v1/me/sessions", params=query, headers=auth))
        assert len(page["items"]) <= 2
        seen += [s["session_id"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [t["session_id"] for t in reversed(logins)]
    first = await (await client.get("/v1/me/sessions", params={"limit": "2"}, headers=auth)).json()
    assert [s["current"] for s in first["items"]] == [True, False]
    bad = await client.get("/v1/me/sessions", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=auth)
    assert bad.status == 422
    assert (await bad.json())["errors"][0]["parameter"] == "cursor"


async def test_a_retried_export_request_with_the_same_key_gets_the_first_answer(
    client: Any, probe: BusProbe, holder: Holder
) -> None:
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    auth = {**api.bearer(await api.login("aino@example.fi", PASSWORD)), "Idempotency-Key": "export-1"}
    first = await client.post("/v1/me/data-exports", headers=auth)
    retried = await client.post("/v1/me/data-exports", headers=auth)
    assert (first.status, retried.status) == (202, 202)
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert await retried.read() == await first.read()
    await probe.wait_for("fi.plussa.identity.export.requested")
    assert len(probe.of_type("fi.plussa.identity.export.requested")) == 1


async def test_behind_a_trusted_proxy_the_session_list_shows_the_end_users_address_and_browser(
    aiohttp_client: Any, settings_for: Any, cards: CardsFeed, probe: BusProbe
) -> None:
    settings = settings_for(IdentitySettings, trusted_proxies=["127.0.0.1/32", "::1/128"], **FAST)
    client = await aiohttp_client(create_app(settings))
    holder = await cards.household()
    await until_card_known(context_of(client.app, IdentityContext), holder)
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    forwarded = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-User-Agent": "Mozilla/5.0 (Aino)"}
    tokens = await api.login("aino@example.fi", PASSWORD, **forwarded)
    [listed] = (await (await client.get("/v1/me/sessions", headers=api.bearer(tokens))).json())["items"]
    assert (listed["address"], listed["user_agent"]) == ("198.51.100.7", "Mozilla/5.0 (Aino)")


async def test_without_a_trusted_proxy_forwarded_headers_are_not_believed(
    client: Any, probe: BusProbe, holder: Holder
) -> None:
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    forwarded = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-User-Agent": "Mozilla/5.0 (Aino)"}
    tokens = await api.login("aino@example.fi", PASSWORD, **forwarded)
    [listed] = (await (await client.get("/v1/me/sessions", headers=api.bearer(tokens))).json())["items"]
    assert listed["address"] != "198.51.100.7"
    assert listed["user_agent"] != "Mozilla/5.0 (Aino)"
