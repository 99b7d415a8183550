from typing import Any

from openapi_spec_validator import validate

from plussa_cards.app import create_app
from plussa_cards.settings import CardsSettings


async def test_the_openapi_document_is_valid_and_tells_who_may_call_each_route(
    aiohttp_client: Any, settings_for: Any
) -> None:
    client = await aiohttp_client(create_app(settings_for(CardsSettings)))

    spec = await (await client.get("/openapi.json")).json()

    validate(spec)
    lookup = spec["paths"]["/v1/lookup/cards/{card_number}"]["get"]
    assert "cards:lookup" in lookup["description"]
    assert len([p for p in spec["paths"] if p.startswith("/v1/")]) == 18
