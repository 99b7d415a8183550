"""Strict input at cards' boundary, a throttled already-a-member answer, and partner events without personal data."""

import asyncio
from typing import Any

import pytest
from pydantic import BaseModel

from plussa_cards.app import create_app
from plussa_cards.events import published
from plussa_cards.settings import CardsSettings
from plussa_cards.testing import CardsApi, problem, unique_person

PERSONAL = {"first_name", "last_name", "date_of_birth", "email", "address", "language", "street", "phone"}


def application(**overrides: Any) -> dict[str, Any]:
    person = unique_person("Aino")
    return {
        **person,
        "email": f"{person['last_name']}@example.fi",
        "address": {"street": "Hämeenkatu 5", "postal_code": "33100", "city": "Tampere"},
        **overrides,
    }


@pytest.fixture
async def strict_api(aiohttp_client: Any, settings_for: Any, tokens: Any) -> CardsApi:
    settings = settings_for(CardsSettings, already_member_answers_per_window=3, already_member_window_s=600)
    return CardsApi(await aiohttp_client(create_app(settings)), tokens)


@pytest.mark.parametrize(
    ("field", "value"),
    [("date_of_birth", 0), ("date_of_birth", "01.01.1990"), ("date_of_birth", True), ("first_name", 7)],
)
async def test_a_parallel_holder_with_a_lax_value_is_refused(api: CardsApi, field: str, value: Any) -> None:
    main = await api.apply()

    resp = await api.client.post(
        "/v1/me/household/parallel-holders", json={**unique_person(), field: value}, headers=main.headers
    )

    assert await problem(resp) == (422, "validation-failed")
    assert (await resp.json())["errors"][0]["pointer"] == f"/{field}"


async def test_an_application_with_a_number_as_date_of_birth_or_a_control_character_is_refused(
    api: CardsApi,
) -> None:
    nul_in_street = {"street": "Hämeenkatu\u0000 5", "postal_code": "33100", "city": "Tampere"}
    for body in (application(date_of_birth=0), application(address=nul_in_street), application(first_name="A\u0007")):
        assert await problem(await api.client.post("/v1/applications", json=body)) == (422, "validation-failed")


@pytest.mark.parametrize("store_id", ["käsi-market", "k market", "k-market\u0661"])
async def test_a_store_id_outside_its_ascii_pattern_is_refused(api: CardsApi, store_id: str) -> None:
    resp = await api.client.post(
        "/v1/stores/temporary-cards", json={"store_id": store_id}, headers=api.as_service("cards:issue")
    )

    assert await problem(resp) == (422, "validation-failed")


async def test_a_person_id_with_a_control_character_or_non_ascii_is_refused_by_the_bank_route(api: CardsApi) -> None:
    for person_id in ("abc\u0000def", "päivi"):
        resp = await api.client.post(
            "/v1/bank/payment-cards",
            json={"person_id": person_id, "network_token": "MC-TOK-12ab34cd", "last4": "4242"},
            headers=api.as_service("cards:bank"),
        )
        assert await problem(resp) == (422, "validation-failed")


async def test_already_a_member_answers_are_limited_per_address_and_then_every_application_waits(
    strict_api: CardsApi,
) -> None:
    member = application()
    assert (await strict_api.client.post("/v1/applications", json=member)).status == 201

    answers = [await strict_api.client.post("/v1/applications", json=member) for _ in range(4)]
    newcomer = await strict_api.client.post("/v1/applications", json=application())

    assert [await problem(r) for r in answers[:3]] == [(409, "already-a-member")] * 3
    assert await problem(answers[3]) == (429, "too-many-applications")
    assert 0 < int(answers[3].headers["Retry-After"]) <= 600
    # Past the limit a newcomer is throttled too, so 429 tells nothing about who is a member.
    assert await problem(newcomer) == (429, "too-many-applications")


async def test_parallel_guesses_cannot_get_more_already_a_member_answers_than_the_limit(strict_api: CardsApi) -> None:
    member = application()
    assert (await strict_api.client.post("/v1/applications", json=member)).status == 201

    answers = await asyncio.gather(*(strict_api.client.post("/v1/applications", json=member) for _ in range(12)))

    statuses = [r.status for r in answers]
    assert statuses.count(409) <= 3
    assert statuses.count(409) + statuses.count(429) == 12


def _field_names(schema: Any) -> set[str]:
    names: set[str] = set()
    if isinstance(schema, dict):
        names |= set(schema.get("properties", {}))
        for value in schema.values():
            names |= _field_names(value)
    elif isinstance(schema, list):
        for value in schema:
            names |= _field_names(value)
    return names


def test_events_partners_read_carry_no_name_e_mail_date_of_birth_or_address() -> None:
    classes = [getattr(published, name) for name in published.__all__]
    partner = [c for c in classes if isinstance(c, type) and issubclass(c, BaseModel) and getattr(c, "partner", False)]

    assert partner, "cards shares some card events with partner chains"
    for cls in partner:
        assert not _field_names(cls.model_json_schema()) & PERSONAL, cls.__name__
    assert not getattr(published.MemberRenamed, "partner", False)
    assert not getattr(published.MemberAdded, "partner", False)
