from typing import Any

from openapi_spec_validator import validate

from plussa_cards.app import create_app
from plussa_cards.settings import CardsSettings
from plussa_shared.testing.contract import assert_routes_documented


async def test_the_openapi_document_is_valid_and_tells_who_may_call_each_route(
    aiohttp_client: Any, settings_for: Any
) -> None:
    client = await aiohttp_client(create_app(settings_for(CardsSettings)))

    spec = await (await client.get("/openapi.json")).json()

    validate(spec)
    lookup = spec["paths"]["/v1/lookup/cards/{card_number}"]["get"]
    assert "cards:lookup" in lookup["description"]
    assert len([p for p in spec["paths"] if p.startswith("/v1/")]) == 23


def test_every_route_has_an_operation_id_a_description_and_examples_that_fit_its_schemas(
    cards_settings: CardsSettings,
) -> None:
    assert_routes_documented(create_app(cards_settings))


async def test_operation_ids_are_stable_camel_case_names_without_numbered_duplicates(
    aiohttp_client: Any, cards_settings: CardsSettings
) -> None:
    spec = await (await (await aiohttp_client(create_app(cards_settings))).get("/openapi.json")).json()

    ids = [op["operationId"] for item in spec["paths"].values() for op in item.values() if "operationId" in op]
    assert len(ids) == len(set(ids))
    assert not [i for i in ids if "_" in i]
    assert {"listMyCards", "getMyHousehold", "orderParallelCard", "handOverHousehold", "renameMe"} <= set(ids)


async def test_status_like_fields_are_enums_in_the_document(aiohttp_client: Any, cards_settings: CardsSettings) -> None:
    spec = await (await (await aiohttp_client(create_app(cards_settings))).get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]

    card = schemas["CardOut"]["properties"]
    assert card["kind"]["enum"] == ["main", "parallel", "temporary", "mobile"]
    assert card["state"]["enum"] == ["ordered", "active", "blocked", "replaced", "closed", "expired"]
    assert schemas["MemberOut"]["properties"]["role"]["enum"] == ["main", "parallel"]
