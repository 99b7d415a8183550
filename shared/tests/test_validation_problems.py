"""One validation shape: errors[] with a JSON pointer into the body (or the parameter or
header name), a code and a detail; unknown query parameters are refused on every route."""

from typing import Any

import pytest

from plussa_shared.errors import PROBLEM_BASE, field_error, json_pointer


async def test_invalid_body_fields_are_named_by_json_pointers(catalogue: Any, aino: dict[str, str]) -> None:
    resp = await catalogue.post(
        "/v1/items", json={"name": "", "price": {"amount": "lots", "currency": "euro"}, "colour": "red"}, headers=aino
    )
    assert resp.status == 422
    body = await resp.json()
    assert body["type"] == PROBLEM_BASE + "validation-failed"
    found = {(e["pointer"], e["code"]) for e in body["errors"]}
    assert found == {
        ("/name", "string_too_short"),
        ("/price/amount", "int_type"),  # strict: no number is read from a string
        ("/price/currency", "string_pattern_mismatch"),
        ("/colour", "extra_forbidden"),
    }
    assert all(e["detail"] for e in body["errors"])


async def test_an_unknown_query_parameter_is_refused_on_a_route_with_a_query(
    catalogue: Any, aino: dict[str, str]
) -> None:
    resp = await catalogue.get("/v1/items?limt=5&state=active", headers=aino)
    assert resp.status == 422
    assert (await resp.json())["errors"] == [
        {"parameter": "limt", "code": "unknown_parameter", "detail": "This route takes no such parameter"}
    ]


async def test_an_unknown_query_parameter_is_refused_on_a_route_without_one(catalogue: Any) -> None:
    resp = await catalogue.get("/v1/greeting?lang=sv")
    assert resp.status == 422
    assert [(e["parameter"], e["code"]) for e in (await resp.json())["errors"]] == [("lang", "unknown_parameter")]


async def test_an_invalid_query_value_names_the_parameter(catalogue: Any, aino: dict[str, str]) -> None:
    resp = await catalogue.get("/v1/items?state=lost", headers=aino)
    assert [(e["parameter"], e["code"]) for e in (await resp.json())["errors"]] == [("state", "enum")]


def test_json_pointers_escape_tilde_and_slash() -> None:
    assert json_pointer(("lines", 0, "a/b~c")) == "/lines/0/a~1b~0c"
    assert json_pointer(()) == ""


def test_a_field_error_names_exactly_one_place() -> None:
    assert field_error("too_short", "Use at least 12 characters", pointer="/new_password") == {
        "pointer": "/new_password",
        "code": "too_short",
        "detail": "Use at least 12 characters",
    }
    with pytest.raises(ValueError, match="exactly one"):
        field_error("x", "y", pointer="/a", parameter="b")
