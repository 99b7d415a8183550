"""Lax input is refused with a problem type at the HTTP boundary."""

import logging
from datetime import date
from typing import Any

import pytest
from aiohttp import web
from pydantic import BaseModel, Field

from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.auth import Access
from plussa_shared.routing import RouteTable
from plussa_shared.settings import ServiceSettings
from plussa_shared.strict import Id, ascii_pattern

PROBLEM = "application/problem+json"


class Purchase(BaseModel):
    """A purchase as a till sends it (a plain model: the routing layer makes it strict)."""

    purchase_id: Id
    store_id: str = Field(pattern=ascii_pattern(r"^[\w.\-]+$"))
    amount_cents: int
    on_hold: bool = False
    bought_on: date


purchases = RouteTable(tag="purchases")


@purchases.post("/v1/purchases", summary="Record", access=Access.anyone(), body=Purchase, status=201)
async def record(request: web.Request, body: Purchase) -> dict[str, Any]:
    """Echo the accepted purchase."""
    return body.model_dump(mode="json")


@purchases.get("/v1/purchases/{purchase_id}", summary="Read", access=Access.anyone())
async def read(request: web.Request, purchase_id: str) -> dict[str, str]:
    """Echo the id."""
    return {"purchase_id": purchase_id}


GOOD = {"purchase_id": "p-1", "store_id": "k.citymarket-1", "amount_cents": 100, "bought_on": "2025-03-01"}


@pytest.fixture
async def client(aiohttp_client: Any, settings_for: Any) -> Any:
    settings = settings_for(ServiceSettings, service_name="tills")
    return await aiohttp_client(create_service_app(settings, ServiceSpec(title="tills", routes=[purchases])))


async def test_a_well_formed_purchase_with_an_iso_date_is_accepted(client: Any) -> None:
    resp = await client.post("/v1/purchases", json=GOOD)
    assert resp.status == 201
    assert (await resp.json())["bought_on"] == "2025-03-01"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("bought_on", 0),  # a number as a date
        ("amount_cents", "100"),  # a string as an integer
        ("amount_cents", True),  # a boolean as an integer
        ("on_hold", 0),  # an integer as a boolean
        ("store_id", "kauppa-ä"),  # non-ASCII where the documented pattern is ASCII
        ("purchase_id", "p\x001"),  # a NUL in an id
        ("purchase_id", "p\u00e51"),  # a non-ASCII id
    ],
)
async def test_lax_input_gets_422_problem_details(client: Any, field: str, value: Any) -> None:
    resp = await client.post("/v1/purchases", json={**GOOD, field: value})
    assert resp.status == 422
    assert resp.content_type == PROBLEM
    problem = await resp.json()
    assert problem["type"] == "https://api.plussa.fi/problems/validation-failed"
    assert [e["pointer"] for e in problem["errors"]] == [f"/{field}"]


async def test_a_control_character_in_a_path_id_gets_400_problem_details(client: Any) -> None:
    resp = await client.get("/v1/purchases/p%0A1")
    assert resp.status == 400
    assert resp.content_type == PROBLEM
    assert (await resp.json())["type"].endswith("/invalid-path-parameter")


@pytest.mark.parametrize("kind", ["path", "header"])
async def test_an_oversized_request_line_or_header_gets_a_problem_that_echoes_nothing_and_no_traceback(
    client: Any, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    marker = "zq" * 10_000
    caplog.set_level(logging.DEBUG)
    if kind == "path":
        resp = await client.get(f"/v1/purchases/{marker}")
    else:
        resp = await client.get("/v1/purchases/p1", headers={"X-Filler": marker * 3})
    body = await resp.text()
    assert resp.status == 400
    assert resp.content_type == PROBLEM
    assert "zqzq" not in body
    assert (await resp.json(content_type=None))["type"].endswith("/malformed-request")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_an_ascii_pattern_spells_out_the_unicode_classes() -> None:
    assert ascii_pattern(r"^[\w.\-]+$") == r"^[A-Za-z0-9_.\-]+$"
    assert ascii_pattern(r"^\d{4}-\w+$") == r"^[0-9]{4}-[A-Za-z0-9_]+$"
    assert ascii_pattern(r"^a\\w$") == r"^a\\w$"
    with pytest.raises(ValueError, match="W"):
        ascii_pattern(r"^\W$")
