"""The OpenAPI 3.1 document is generated from the routes' own models and is valid."""

from enum import StrEnum
from typing import Any

import pytest
from aiohttp import web
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from pydantic import BaseModel, Field

from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.auth import Access
from plussa_shared.openapi import build_openapi
from plussa_shared.routing import RouteTable, add_routes
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.sample import notes

cards = RouteTable(tag="cards")


class CardState(StrEnum):
    active = "active"
    blocked = "blocked"


class Holder(BaseModel):
    person_id: str
    name: str | None = None


class Card(BaseModel):
    card_id: str
    state: CardState
    holder: Holder


class CardFilter(BaseModel):
    state: CardState | None = Field(default=None, description="Only cards in this state")
    limit: int = Field(default=20, ge=1, le=100)


class BlockCard(BaseModel):
    reason: str = Field(max_length=200)


@cards.get("/v1/cards", summary="List cards", access=Access.customers(), query=CardFilter, response=list[Card])
async def list_cards(_: web.Request, query: CardFilter) -> list[Card]:
    return []


@cards.get("/v1/cards/{card_id}", summary="One card", access=Access.customers(), response=Card, errors=[404])
async def get_card(_: web.Request, card_id: str) -> Card:
    raise NotImplementedError


@cards.post(
    "/v1/cards/{card_id:[a-z0-9-]+}/block",
    summary="Block a card",
    access=Access.customers("cards:block"),
    body=BlockCard,
    response=Card,
    errors=[404, 409],
)
async def block_card(_: web.Request, card_id: str, body: BlockCard) -> Card:
    raise NotImplementedError


@cards.get("/v1/cards-public/ping", summary="Ping", access=Access.anyone())
async def ping(_: web.Request) -> None:
    return None


class Channel(StrEnum):
    email = "email"
    sms = "sms"


class ByChannel(BaseModel):
    channel: Channel | None = None


other = RouteTable(tag="other")


@other.get("/v1/messages", summary="Messages by channel", access=Access.customers(), query=ByChannel)
async def list_cards_again(_: web.Request, query: ByChannel) -> None:
    return None


list_cards_again.__name__ = "list_cards"  # two tables may well name their handlers alike


def document() -> dict[str, Any]:
    app = web.Application()
    return build_openapi("Cards", "1.2.3", add_routes(app, [cards, notes, other]))


def test_the_document_is_valid_openapi_3_1() -> None:
    doc = document()
    assert doc["openapi"].startswith("3.1")
    validate(doc)


def test_paths_parameters_bodies_and_problems_come_from_the_routes() -> None:
    doc = document()
    block = doc["paths"]["/v1/cards/{card_id}/block"]["post"]
    assert [p["name"] for p in block["parameters"]] == ["card_id"]
    assert block["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/BlockCard"}
    assert {"200", "400", "401", "403", "404", "409", "422"} <= set(block["responses"])
    assert block["security"] == [{"bearer": []}]
    listing = doc["paths"]["/v1/cards"]["get"]
    assert {p["name"]: p["required"] for p in listing["parameters"]} == {"state": False, "limit": False}
    assert listing["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
    schemas = doc["components"]["schemas"]
    assert {"Card", "Holder", "CardState", "BlockCard", "Problem"} <= set(schemas)
    assert "security" not in doc["paths"]["/v1/cards-public/ping"]["get"]
    assert "Channel" in schemas  # a model used only by a query parameter still gets its schema


def test_operation_ids_are_unique_even_when_handlers_share_a_name() -> None:
    doc = document()
    ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_a_broken_document_is_caught_by_the_validator() -> None:
    doc = document()
    doc["paths"]["/v1/cards"]["get"]["parameters"][0]["in"] = "body"  # OpenAPI 2 habits
    with pytest.raises(OpenAPIValidationError):
        validate(doc)


async def test_the_service_serves_its_document_and_a_docs_page(aiohttp_client: Any, settings_for: Any) -> None:
    app = create_service_app(
        settings_for(ServiceSettings, service_name="cards"), ServiceSpec(title="Cards", routes=[cards])
    )
    client = await aiohttp_client(app)
    resp = await client.get("/openapi.json")
    assert resp.status == 200
    served = await resp.json()
    validate(served)
    assert served["info"]["title"] == "Cards"
    docs = await client.get("/docs")
    assert docs.status == 200
    assert docs.content_type == "text/html"
    assert "/openapi.json" in await docs.text()
