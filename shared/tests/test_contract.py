"""Every answer can be checked against the service's own OpenAPI document, and every route
must be documented well enough for a BFF's client generator."""

from typing import Any

import pytest
from aiohttp import web
from openapi_spec_validator import validate
from pydantic import BaseModel

from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.auth import Access
from plussa_shared.caching import Cache
from plussa_shared.keys import OPENAPI
from plussa_shared.openapi import build_openapi
from plussa_shared.routing import RouteTable, add_routes
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.contract import Contract, ResponseRecorder, assert_routes_documented
from plussa_shared.testing.sample_catalogue import Greeting, items, reference

LAMP = {"name": "Lamp", "price": {"amount": 1990, "currency": "EUR"}}


async def test_the_catalogue_is_documented_and_its_document_is_valid(catalogue: Any) -> None:
    validate(catalogue.app[OPENAPI])
    assert_routes_documented(catalogue.app)
    document = catalogue.app[OPENAPI]
    assert document["servers"] == [{"url": "http://127.0.0.1:8080"}]


async def test_real_answers_match_the_document(catalogue: Any, aino: dict[str, str]) -> None:
    contract = Contract.of(catalogue.app)
    created = await contract.check_response(
        await catalogue.post("/v1/items", json=LAMP, headers={**aino, "Idempotency-Key": "k1"})
    )
    path = f"/v1/items/{created['item_id']}"
    await contract.check_response(await catalogue.get("/v1/items?limit=1", headers=aino))
    await contract.check_response(await catalogue.get(path, headers={**aino, "If-None-Match": '"1"'}))
    await contract.check_response(
        await catalogue.put(path, json={"name": "x", "state": "active"}, headers={**aino, "If-Match": '"9"'})
    )
    await contract.check_response(await catalogue.post("/v1/items", json={"name": ""}, headers=aino))
    await contract.check_response(await catalogue.get("/v1/items"))
    await contract.check_response(await catalogue.get("/v1/colours"))
    await contract.check_response(await catalogue.get("/v1/greeting?lang=sv"))


broken = RouteTable(tag="broken")


@broken.get(
    "/v1/broken-greeting",
    summary="A greeting that breaks its schema",
    access=Access.anyone(),
    response=Greeting,
    operation_id="getBrokenGreeting",
    description="Answers a number where the document promises text.",
    response_example=Greeting(text="Hei"),
)
async def broken_greeting(_: web.Request) -> web.Response:
    return web.json_response({"text": 5})


async def test_an_answer_that_breaks_its_schema_fails_the_contract(aiohttp_client: Any, settings_for: Any) -> None:
    app = create_service_app(settings_for(ServiceSettings, service_name="broken"), ServiceSpec("Broken", [broken]))
    client = await aiohttp_client(app)
    with pytest.raises(AssertionError, match=r"/text: 5 is not of type 'string'"):
        await Contract.of(app).check_response(await client.get("/v1/broken-greeting"))


async def test_the_response_recorder_lists_every_answer_its_document_does_not_describe(
    aiohttp_client: Any, settings_for: Any, catalogue_app: Any
) -> None:
    responses = ResponseRecorder()
    catalogue = await responses.client(aiohttp_client, catalogue_app())
    app = create_service_app(settings_for(ServiceSettings, service_name="broken"), ServiceSpec("Broken", [broken]))
    broken_client = await responses.client(aiohttp_client, app)

    colours = await catalogue.get("/v1/colours")
    greeting = await broken_client.get("/v1/broken-greeting")
    nowhere = await catalogue.get("/v1/nowhere")

    assert colours.status == 200
    assert (await colours.json()) is not None  # the body stays readable after the check
    assert (await greeting.json()) == {"text": 5}
    assert nowhere.status == 404
    assert responses.checked == ["GET /v1/colours -> 200"]
    with pytest.raises(AssertionError) as caught:
        responses.assert_all_documented()
    message = str(caught.value)
    assert "2 of 3 responses break their OpenAPI document" in message
    assert "GET /v1/broken-greeting -> 200: GET /v1/broken-greeting 200 breaks its schema: /text: 5 is not" in message
    assert "GET /v1/nowhere -> 404: GET /v1/nowhere is not in the document" in message


def test_an_undocumented_status_a_missing_required_header_or_a_wrong_body_fail_the_contract() -> None:
    contract = Contract(build_openapi("Catalogue", "1", add_routes(web.Application(), [items, reference])))
    json_type = {"Content-Type": "application/json"}
    with pytest.raises(AssertionError, match="status 418 is not documented"):
        contract.check("GET", "/v1/items/abc", 418, json_type, b"{}")
    with pytest.raises(AssertionError, match=r"required headers missing: \['ETag'\]"):
        contract.check("GET", "/v1/items/abc", 200, json_type, b"{}")
    with pytest.raises(AssertionError, match="'version' is a required property"):
        contract.check("GET", "/v1/items/abc", 200, {**json_type, "ETag": '"1"'}, b'{"item_id": "abc"}')
    with pytest.raises(AssertionError, match="not in the document"):
        contract.check("GET", "/v1/nowhere", 200, json_type, b"{}")


class Answer(BaseModel):
    count: int


def test_routes_without_operation_id_description_or_valid_examples_are_listed(settings_for: Any) -> None:
    sloppy = RouteTable(tag="sloppy")

    @sloppy.get("/v1/undocumented", summary="Undocumented", access=Access.anyone(), response=Answer)
    async def undocumented(_: web.Request) -> Answer:
        return Answer(count=1)

    @sloppy.get(
        "/v1/wrong-example",
        summary="Wrong example",
        access=Access.anyone(),
        response=Answer,
        operation_id="getWrongExample",
        description="Its example is not an Answer.",
        response_example={"count": "many"},
    )
    async def wrong_example(_: web.Request) -> Answer:
        return Answer(count=1)

    app = create_service_app(settings_for(ServiceSettings, service_name="sloppy"), ServiceSpec("Sloppy", [sloppy]))
    with pytest.raises(AssertionError) as caught:
        assert_routes_documented(app)
    message = str(caught.value)
    assert "GET /v1/undocumented: declare operation_id" in message
    assert "GET /v1/undocumented: declare a description" in message
    assert "GET /v1/undocumented: declare response_example" in message
    assert (
        "GET /v1/wrong-example: the 200 example breaks the schema: /count: 'many' is not of type 'integer'" in message
    )
    assert "getWrongExample: declare" not in message


def test_two_routes_declaring_one_operation_id_are_refused() -> None:
    twice = RouteTable(tag="twice")
    for path in ("/v1/a", "/v1/b"):
        twice.get(path, summary="Twice", access=Access.anyone(), operation_id="getTwice")(_nothing)
    with pytest.raises(ValueError, match="declared twice"):
        build_openapi("Twice", "1", add_routes(web.Application(), [twice]))


async def _nothing(_: web.Request) -> None:
    return None


def test_declarations_that_cannot_work_are_refused_at_import() -> None:
    table = RouteTable(tag="bad")
    with pytest.raises(ValueError, match="only an authenticated POST is idempotent"):
        table.post("/v1/x", summary="x", access=Access.anyone(), idempotent=True)(_nothing)
    with pytest.raises(ValueError, match="only public reference data may be cached"):
        table.get("/v1/x", summary="x", access=Access.customers(), cache=Cache.public(60))(_nothing)
    with pytest.raises(ValueError, match="takes expected_version"):
        table.put("/v1/x", summary="x", access=Access.customers(), conditional=True)(_nothing)
    with pytest.raises(ValueError, match="not camelCase"):
        table.get("/v1/x", summary="x", access=Access.anyone(), operation_id="order_parallel_card_2")(_nothing)
