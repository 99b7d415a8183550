"""HTTP edges every service shares: problem details for bad requests, 401/403 for
bad credentials, request ids, the OpenAPI document."""

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
import structlog
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import BaseModel, Field

from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.auth import Access
from plussa_shared.errors import PROBLEM_BASE, ConflictError
from plussa_shared.http import request_id_trace_config
from plussa_shared.keys import principal
from plussa_shared.routing import RouteTable
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.sample import notes
from plussa_shared.testing.tokens import AUDIENCE, ISSUER

extra = RouteTable(tag="extra")


class SearchQuery(BaseModel):
    limit: int = Field(default=10, ge=1, le=100)


class Found(BaseModel):
    limit: int


@extra.get("/v1/search", summary="Search notes", access=Access.anyone(), query=SearchQuery, response=Found)
async def search(_: web.Request, query: SearchQuery) -> Found:
    return Found(limit=query.limit)


@extra.get("/v1/boom", summary="Fail unexpectedly", access=Access.anyone())
async def boom(_: web.Request) -> None:
    raise RuntimeError("connection to mongodb://admin:hunter2@db failed")


@extra.post("/v1/conflict", summary="Conflict", access=Access.anyone(), errors=[409])
async def conflict(_: web.Request) -> None:
    raise ConflictError("The note was changed meanwhile", slug="note-changed", current_version=3)


@extra.post("/v1/moderation", summary="Moderate notes", access=Access.services("notes:moderate"), status=204)
async def moderate(request: web.Request) -> None:
    assert principal(request).kind in ("service", "operator")


@pytest.fixture
async def client(aiohttp_client: Any, settings_for: Any) -> Any:
    settings = settings_for(ServiceSettings, service_name="notes", max_body_bytes=2048)
    return await aiohttp_client(create_service_app(settings, ServiceSpec(title="Notes", routes=[notes, extra])))


@pytest.fixture
def customer(tokens: Any) -> dict[str, str]:
    return dict(tokens.bearer(tokens.customer("p1", "h1")))


async def problem(resp: Any, status: int, slug: str) -> dict[str, Any]:
    """Assert ``resp`` is an RFC 9457 document with this status and type; return it."""
    text = await resp.text()
    assert resp.status == status, text
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert "Traceback" not in text
    body = json.loads(text)
    assert body["type"] == PROBLEM_BASE + slug
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    return dict(body)


async def test_malformed_json_is_a_400_problem(client: Any, customer: dict[str, str]) -> None:
    resp = await client.post(
        "/v1/notes", data=b'{"note_id": "n1",', headers={**customer, "Content-Type": "application/json"}
    )
    await problem(resp, 400, "malformed-json")


async def test_wrong_types_are_a_422_problem_listing_the_fields(client: Any, customer: dict[str, str]) -> None:
    resp = await client.post("/v1/notes", json={"note_id": 5, "text": "x", "stars": "many"}, headers=customer)
    body = await problem(resp, 422, "validation-failed")
    assert {e["pointer"] for e in body["errors"]} == {"/note_id", "/stars"}
    assert "many" not in json.dumps(body)  # the input is not echoed back


async def test_missing_fields_are_a_422_problem(client: Any, customer: dict[str, str]) -> None:
    resp = await client.post("/v1/notes", json={"text": "x"}, headers=customer)
    body = await problem(resp, 422, "validation-failed")
    assert [(e["pointer"], e["code"]) for e in body["errors"]] == [("/note_id", "missing")]


async def test_a_body_over_the_limit_is_a_413_problem(client: Any, customer: dict[str, str]) -> None:
    resp = await client.post("/v1/notes", json={"note_id": "n1", "text": "x" * 4000}, headers=customer)
    await problem(resp, 413, "payload-too-large")


async def test_a_body_that_is_not_json_is_a_415_problem(client: Any, customer: dict[str, str]) -> None:
    resp = await client.post("/v1/notes", data="note_id=n1", headers={**customer, "Content-Type": "text/plain"})
    await problem(resp, 415, "unsupported-media-type")


async def test_an_unknown_route_is_a_404_problem(client: Any) -> None:
    await problem(await client.get("/v1/nothing-here"), 404, "not-found")


async def test_a_wrong_method_is_a_405_problem_naming_the_allowed_ones(client: Any) -> None:
    resp = await client.delete("/v1/search")
    await problem(resp, 405, "method-not-allowed")
    assert "GET" in resp.headers["Allow"]


async def test_an_invalid_query_parameter_is_a_422_problem(client: Any) -> None:
    body = await problem(await client.get("/v1/search?limit=lots"), 422, "validation-failed")
    assert body["errors"][0]["parameter"] == "limit"
    assert (await client.get("/v1/search?limit=7")).status == 200


async def test_a_domain_error_keeps_its_slug_and_extension_members(client: Any) -> None:
    body = await problem(await client.post("/v1/conflict"), 409, "note-changed")
    assert body["current_version"] == 3
    assert body["instance"] == "/v1/conflict"


async def test_an_unexpected_error_is_a_500_problem_without_internals(client: Any) -> None:
    resp = await client.get("/v1/boom")
    body = await problem(resp, 500, "internal-error")
    text = json.dumps(body)
    assert "hunter2" not in text
    assert "RuntimeError" not in text
    assert resp.headers["X-Request-ID"]


async def test_a_valid_request_passes(client: Any, customer: dict[str, str]) -> None:
    resp = await client.post("/v1/notes", json={"note_id": "n1", "text": "x"}, headers=customer)
    assert resp.status == 201
    assert await resp.json() == {"note_id": "n1"}


# --- authentication -----------------------------------------------------------


def claims(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "p1",
        "kind": "customer",
        "hh": "h1",
        "role": "main",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        **overrides,
    }


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    original = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return f"{header}.{b64({**original, 'hh': 'someone-elses-household'})}.{signature}"


def unsigned(tokens: Any) -> str:
    return f"{b64({'alg': 'none', 'typ': 'JWT', 'kid': tokens.kid})}.{b64(claims(iat=1, exp=4102444800))}."


BAD_TOKENS = {
    "expired": (
        lambda t: t.sign(
            claims(iat=datetime.now(UTC) - timedelta(hours=2), exp=datetime.now(UTC) - timedelta(hours=1))
        ),
        "token-expired",
    ),
    "tampered payload": (lambda t: tampered(t.customer("p1", "h1")), "invalid-token"),
    "signed by another key": (lambda t: t.sign(claims(), key=Ed25519PrivateKey.generate()), "invalid-token"),
    "alg none": (unsigned, "invalid-token"),
    "unknown kid": (lambda t: t.sign(claims(), kid="no-such-key"), "invalid-token"),
    "wrong audience": (lambda t: t.sign(claims(aud="another-api")), "invalid-token"),
    "wrong issuer": (lambda t: t.sign(claims(iss="https://evil.example")), "invalid-token"),
    "not a jwt": (lambda t: "not.a.jwt", "invalid-token"),
}


@pytest.mark.parametrize("case", BAD_TOKENS)
async def test_a_bad_token_is_a_401_problem_with_a_challenge(client: Any, tokens: Any, case: str) -> None:
    make, slug = BAD_TOKENS[case]
    resp = await client.post("/v1/notes", json={"note_id": "n1", "text": "x"}, headers=tokens.bearer(make(tokens)))
    await problem(resp, 401, slug)
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", [None, "Basic cDE6c2VjcmV0", "Bearer "])
async def test_a_missing_token_is_a_401_problem_with_a_challenge(client: Any, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    resp = await client.post("/v1/notes", json={"note_id": "n1", "text": "x"}, headers=headers)
    await problem(resp, 401, "missing-token")
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


async def test_a_service_token_without_the_scope_is_a_403_problem(client: Any, tokens: Any) -> None:
    resp = await client.post("/v1/moderation", headers=tokens.bearer(tokens.service("till-1", "notes:read")))
    await problem(resp, 403, "insufficient-scope")
    ok = await client.post("/v1/moderation", headers=tokens.bearer(tokens.service("till-1", "notes:moderate")))
    assert ok.status == 204


async def test_a_customer_is_refused_a_service_only_route(client: Any, customer: dict[str, str]) -> None:
    await problem(await client.post("/v1/moderation", headers=customer), 403, "insufficient-scope")


async def test_an_incoming_request_id_is_echoed_and_on_the_request_log_line(
    client: Any, customer: dict[str, str]
) -> None:
    with structlog.testing.capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
        resp = await client.get("/v1/search", headers={"X-Request-ID": "req-abc.123"})
    assert resp.headers["X-Request-ID"] == "req-abc.123"
    [line] = [entry for entry in logs if entry["event"] == "request"]
    assert line["request_id"] == "req-abc.123"
    assert line["route"] == "/v1/search"
    assert line["status"] == 200


async def test_an_unsafe_request_id_is_replaced_by_a_fresh_one(client: Any) -> None:
    resp = await client.get("/v1/search", headers={"X-Request-ID": "evil value with spaces"})
    assert resp.headers["X-Request-ID"] != "evil value with spaces"
    assert len(resp.headers["X-Request-ID"]) == 32


async def test_a_service_with_a_route_that_declares_no_access_refuses_to_start(
    aiohttp_client: Any, settings_for: Any
) -> None:
    async def open_by_omission(_: web.Request) -> web.Response:
        return web.json_response({"secret": "data"})

    app = create_service_app(settings_for(ServiceSettings, service_name="notes"), ServiceSpec(title="Notes"))
    app.router.add_get("/v1/everything", open_by_omission)
    with pytest.raises(RuntimeError, match="GET /v1/everything"):
        await aiohttp_client(app)


@pytest.mark.parametrize("path", ["/health/live", "/health/ready", "/metrics", "/openapi.json", "/docs"])
async def test_the_operational_routes_need_no_token(client: Any, path: str) -> None:
    assert (await client.get(path)).status == 200


async def test_the_request_id_travels_on_outgoing_http_calls(aiohttp_server: Any) -> None:
    async def echo(request: web.Request) -> web.Response:
        return web.json_response({"request_id": request.headers.get("X-Request-ID")})

    upstream = web.Application()
    upstream.router.add_get("/echo", echo)
    server = await aiohttp_server(upstream)
    async with aiohttp.ClientSession(trace_configs=[request_id_trace_config()]) as session:
        structlog.contextvars.bind_contextvars(request_id="req-outgoing")
        try:
            async with session.get(server.make_url("/echo")) as resp:
                assert (await resp.json())["request_id"] == "req-outgoing"
        finally:
            structlog.contextvars.clear_contextvars()
        async with session.get(server.make_url("/echo")) as resp:
            assert (await resp.json())["request_id"] is None
