"""Every refused registration answers with its problem type and leaves nothing behind."""

import asyncio
from datetime import date
from typing import Any

import pytest

from plussa_identity.app import create_app
from plussa_identity.context import IdentityContext
from plussa_identity.domain.card_numbers import with_check_digit
from plussa_identity.settings import IdentitySettings
from plussa_identity.store import ACCOUNTS, LINK_TOKENS
from plussa_identity.testing import CardsFeed, Holder, IdentityApi, until_card_known
from plussa_shared.keys import context_of
from plussa_shared.testing.bus import BusProbe

PASSWORD = "kesäinen mökkiranta 42"
PROBLEMS = "https://api.plussa.fi/problems/"


async def refused(client: Any, body: dict[str, Any], status: int, slug: str) -> dict[str, Any]:
    response = await client.post("/v1/registrations", json=body)
    assert response.status == status, await response.text()
    assert response.content_type == "application/problem+json"
    problem: dict[str, Any] = await response.json()
    assert problem["type"] == PROBLEMS + slug
    return problem


async def nothing_written(identity: IdentityContext, probe: BusProbe) -> None:
    assert await identity.store.db[ACCOUNTS].count_documents({}) == 0
    assert await identity.store.db[LINK_TOKENS].count_documents({}) == 0
    assert probe.of_type("fi.plussa.identity.customer.registered") == []


def body(holder: Holder, **changes: Any) -> dict[str, Any]:
    return {
        "card_number": holder.card_number,
        "date_of_birth": holder.date_of_birth.isoformat(),
        "email": "aino@example.fi",
        "password": PASSWORD,
        "language": "fi",
        **changes,
    }


async def test_an_unknown_card_number_is_not_recognised(
    client: Any, identity: IdentityContext, holder: Holder, probe: BusProbe
) -> None:
    await refused(client, body(holder, card_number=with_check_digit("606499999999999")), 422, "card-not-recognised")
    await nothing_written(identity, probe)


async def test_a_card_number_failing_the_luhn_check_is_malformed(
    client: Any, identity: IdentityContext, holder: Holder, probe: BusProbe
) -> None:
    wrong_check = holder.card_number[:-1] + str((int(holder.card_number[-1]) + 1) % 10)
    await refused(client, body(holder, card_number=wrong_check), 422, "invalid-card-number")
    await refused(client, body(holder, card_number="1234"), 422, "invalid-card-number")
    await nothing_written(identity, probe)


async def test_a_wrong_date_of_birth_answers_like_an_unknown_card(
    client: Any, identity: IdentityContext, holder: Holder, probe: BusProbe
) -> None:
    problem = await refused(client, body(holder, date_of_birth="1990-01-01"), 422, "card-not-recognised")
    assert "blocked" not in problem["detail"]
    await nothing_written(identity, probe)


async def test_someone_elses_card_with_my_own_date_of_birth_is_not_recognised(
    client: Any, identity: IdentityContext, cards: CardsFeed, holder: Holder, probe: BusProbe
) -> None:
    other = await cards.household(date_of_birth=date(1970, 12, 24))
    await until_card_known(identity, other)
    await refused(client, body(other, date_of_birth=holder.date_of_birth.isoformat()), 422, "card-not-recognised")
    await nothing_written(identity, probe)


async def test_a_blocked_card_cannot_be_used_to_register(
    client: Any, identity: IdentityContext, cards: CardsFeed, holder: Holder, probe: BusProbe
) -> None:
    await cards.block(holder)
    await until_card_known(identity, holder)
    problem = await refused(client, body(holder), 422, "card-not-eligible")
    assert [(e["pointer"], e["code"]) for e in problem["errors"]] == [("/card_number", "card_blocked")]
    assert "reason" not in problem
    await nothing_written(identity, probe)


async def test_a_temporary_card_cannot_be_used_to_register(
    client: Any, identity: IdentityContext, cards: CardsFeed, probe: BusProbe
) -> None:
    temporary = await cards.household(kind="temporary")
    await until_card_known(identity, temporary)
    await refused(client, body(temporary), 422, "card-not-eligible")
    await nothing_written(identity, probe)


@pytest.mark.parametrize(
    ("password", "slug"),
    [("lyhyt", "weak-password"), ("password1234", "breached-password"), ("Salasana123456", "breached-password")],
)
async def test_a_weak_or_breached_password_is_refused(
    client: Any, identity: IdentityContext, holder: Holder, probe: BusProbe, password: str, slug: str
) -> None:
    problem = await refused(client, body(holder, password=password), 422, slug)
    assert [e["pointer"] for e in problem["errors"]] == ["/password"]
    await nothing_written(identity, probe)


@pytest.mark.parametrize("email", ["not-an-address", "aino@", "aino@@example.fi", "aino@example"])
async def test_a_malformed_email_address_is_refused(
    client: Any, identity: IdentityContext, holder: Holder, probe: BusProbe, email: str
) -> None:
    await refused(client, body(holder, email=email), 422, "invalid-email")
    await nothing_written(identity, probe)


async def test_a_second_registration_for_the_same_person_is_refused(
    client: Any, identity: IdentityContext, holder: Holder, probe: BusProbe
) -> None:
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    await refused(client, body(holder, email="aino.toinen@example.fi"), 409, "already-registered")
    assert await identity.store.db[ACCOUNTS].count_documents({}) == 1


async def test_an_email_address_already_in_use_is_refused(
    client: Any, identity: IdentityContext, cards: CardsFeed, holder: Holder, probe: BusProbe
) -> None:
    api = IdentityApi(client, probe)
    await api.registered(holder, "aino@example.fi", PASSWORD)
    parallel = await cards.parallel(holder)
    await until_card_known(identity, parallel)
    await refused(client, body(parallel, email="AINO@example.fi"), 409, "email-in-use")
    assert await identity.store.account(parallel.person_id) is None


async def test_two_people_registering_one_email_address_at_once_get_one_login_and_one_refusal(
    client: Any, identity: IdentityContext, cards: CardsFeed, holder: Holder
) -> None:
    parallel = await cards.parallel(holder)
    await until_card_known(identity, parallel)
    first, second = await asyncio.gather(
        client.post("/v1/registrations", json=body(holder)), client.post("/v1/registrations", json=body(parallel))
    )
    assert sorted([first.status, second.status]) == [201, 409]
    loser = first if first.status == 409 else second
    assert (await loser.json())["type"] == PROBLEMS + "email-in-use"
    assert await identity.store.db[ACCOUNTS].count_documents({"email": "aino@example.fi"}) == 1


async def test_guessing_dates_of_birth_for_a_card_is_throttled(
    aiohttp_client: Any, settings_for: Any, cards: CardsFeed, probe: BusProbe
) -> None:
    settings = settings_for(IdentitySettings, address_free_failures=3, argon2_memory_cost_kib=64, argon2_time_cost=1)
    client = await aiohttp_client(create_app(settings))
    holder = await cards.household()
    await until_card_known(context_of(client.app, IdentityContext), holder)
    for year in range(1990, 1994):
        await refused(client, body(holder, date_of_birth=f"{year}-01-01"), 422, "card-not-recognised")
    response = await client.post("/v1/registrations", json=body(holder))
    assert response.status == 429
    assert int(response.headers["Retry-After"]) > 0
