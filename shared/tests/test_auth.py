"""Who may call a route, and verifying tokens against a JWKS that rotates."""

import asyncio
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from plussa_shared.auth import Access, Principal, RemoteJwks, TokenVerifier
from plussa_shared.errors import UnauthorizedError
from plussa_shared.testing.tokens import AUDIENCE, ISSUER, TestTokens

CUSTOMER = Principal(kind="customer", subject="p1", household_id="h1", role="main")
TILL = Principal(kind="service", subject="till-1", scopes=frozenset({"points:write"}))
OPERATOR = Principal(kind="operator", subject="op-1", scopes=frozenset({"support:read"}))
UNSCOPED_SERVICE = Principal(kind="service", subject="bank-1")


@pytest.mark.parametrize(
    ("access", "allowed"),
    [
        (Access.anyone(), {"customer", "till", "operator", "unscoped"}),
        (Access.customers(), {"customer"}),
        (Access.customers("support:read"), {"customer", "operator"}),
        (Access.services("points:write"), {"till"}),
        (Access.services("points:write", "support:read"), {"till", "operator"}),
        (Access.services(), set()),
    ],
)
def test_access_rules_admit_exactly_the_declared_callers(access: Access, allowed: set[str]) -> None:
    callers = {"customer": CUSTOMER, "till": TILL, "operator": OPERATOR, "unscoped": UNSCOPED_SERVICE}
    assert {name for name, who in callers.items() if access.allows(who)} == allowed


def test_access_describes_itself_for_the_api_document() -> None:
    assert Access.anyone().describe() == "No authentication."
    assert "signed-in customer" in Access.customers().describe()
    assert "points:write" in Access.services("points:write").describe()


class RotatingJwks:
    """A JWKS endpoint whose keys the test replaces, counting how often it is fetched."""

    def __init__(self, jwks: dict[str, Any]) -> None:
        self.jwks = jwks
        self.hits = 0

    async def handle(self, _: web.Request) -> web.Response:
        self.hits += 1
        return web.json_response(self.jwks)


@pytest.fixture
async def jwks_endpoint(aiohttp_server: Any) -> Any:
    old = TestTokens()
    endpoint = RotatingJwks(old.jwks)
    app = web.Application()
    app.router.add_get("/jwks.json", endpoint.handle)
    server = await aiohttp_server(app)
    async with aiohttp.ClientSession() as session:
        yield old, endpoint, str(server.make_url("/jwks.json")), session


async def test_a_token_signed_with_a_rotated_in_key_is_accepted_once_the_jwks_is_fetched_again(
    jwks_endpoint: Any,
) -> None:
    old, endpoint, url, session = jwks_endpoint
    keys = RemoteJwks(url, session, min_refresh_s=0.0)
    verifier = TokenVerifier(keys, issuer=ISSUER, audience=AUDIENCE)
    assert (await verifier.verify(old.customer("p1", "h1"))).subject == "p1"
    assert endpoint.hits == 1
    assert (await verifier.verify(old.customer("p2", "h1"))).subject == "p2"
    assert endpoint.hits == 1  # a known kid needs no fetch

    new = TestTokens()
    endpoint.jwks = {"keys": old.jwks["keys"] + new.jwks["keys"]}
    assert (await verifier.verify(new.customer("p3", "h1"))).subject == "p3"
    assert endpoint.hits == 2


async def test_unknown_kids_trigger_at_most_one_fetch_per_interval(jwks_endpoint: Any) -> None:
    old, endpoint, url, session = jwks_endpoint
    verifier = TokenVerifier(RemoteJwks(url, session, min_refresh_s=60.0), issuer=ISSUER, audience=AUDIENCE)
    await verifier.verify(old.customer("p1", "h1"))
    for kid in ("k1", "k2", "k3"):
        with pytest.raises(UnauthorizedError):
            await verifier.verify(old.sign({"sub": "x"}, kid=kid))
    assert endpoint.hits == 1


@pytest.mark.parametrize("body", [b"<html>oops</html>", b"[1, 2]", b'{"keys": [{"kid": "k", "kty": "nope"}]}'])
async def test_a_broken_jwks_answer_refuses_the_token_instead_of_failing(aiohttp_server: Any, body: bytes) -> None:
    async def garbage(_: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_get("/jwks.json", garbage)
    server = await aiohttp_server(app)
    async with aiohttp.ClientSession() as session:
        verifier = TokenVerifier(
            RemoteJwks(str(server.make_url("/jwks.json")), session), issuer=ISSUER, audience=AUDIENCE
        )
        with pytest.raises(UnauthorizedError) as refused:
            await verifier.verify(TestTokens().customer("p1", "h1"))
    assert refused.value.problem_slug == "invalid-token"


async def test_a_failed_jwks_fetch_is_retried_soon_not_after_the_whole_interval(aiohttp_server: Any) -> None:
    tokens = TestTokens()
    answers = [web.Response(status=503), web.json_response(tokens.jwks)]

    async def flaky(_: web.Request) -> web.Response:
        return answers.pop(0)

    app = web.Application()
    app.router.add_get("/jwks.json", flaky)
    server = await aiohttp_server(app)
    async with aiohttp.ClientSession() as session:
        keys = RemoteJwks(str(server.make_url("/jwks.json")), session, min_refresh_s=60.0, retry_after_failure_s=0.05)
        verifier = TokenVerifier(keys, issuer=ISSUER, audience=AUDIENCE)
        with pytest.raises(UnauthorizedError):
            await verifier.verify(tokens.customer("p1", "h1"))
        await asyncio.sleep(0.1)
        assert (await verifier.verify(tokens.customer("p1", "h1"))).subject == "p1"
    assert keys.fetches == 2
