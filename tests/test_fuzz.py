"""Every service's HTTP API, fuzzed from its own OpenAPI document (schemathesis): the
real application on the real MongoDB and RabbitMQ, called as a signed-in customer and
as a service holding every scope the service knows. No answer may be a 5xx, break its
documented status, media type, headers or body, or accept input its schema refuses.

Bounded for ``make test``: a few derandomized examples per operation, caller and mode
(``PLUSSA_FUZZ_EXAMPLES`` raises it for a deeper run).
"""

import uuid
from collections.abc import Callable, Sequence
from typing import Any

import aiohttp
import pytest
from schemathesis import APIOperation

from plussa_shared.auth import Access
from plussa_shared.bus_access import SERVICES
from plussa_shared.keys import ENDPOINTS, OPENAPI, SETTINGS
from plussa_shared.routing import Endpoint
from plussa_shared.testing.bus import bus_probe
from plussa_shared.testing.fuzz import Caller, fuzz, max_examples
from plussa_shared.testing.live import LiveServer
from plussa_shared.testing.tokens import TestTokens

EXAMPLES = 4
FAST_HASHING = {"argon2_time_cost": 1, "argon2_memory_cost_kib": 64, "argon2_parallelism": 1}
OVERRIDES: dict[str, dict[str, Any]] = {"identity": FAST_HASHING}
PASSWORD = "sumuinen aamu satamassa 9"
ENDS_THE_CALLER = ("/v1/me/password", "/v1/me/sessions/", "/v1/me/erasure-requests", "/v1/sessions/current")
"""Operations that can end the fuzzing customer's other sessions, erase them or log them
out: fuzzed last, in this order."""


async def identity_customer(server: LiveServer) -> str:
    """A real customer's access token from identity: a household announced by cards on the
    bus, registered, its e-mail verified with the token of the mail, logged in."""
    from plussa_identity.context import IdentityContext
    from plussa_identity.testing import CardsFeed, until_card_known
    from plussa_shared.keys import context_of

    settings = server.app[SETTINGS]
    url = settings.amqp_url.get_secret_value()
    email = f"fuzz.{uuid.uuid4().hex[:8]}@example.fi"
    async with bus_probe(url, settings.private_exchange("notifications"), "identity.#") as mail:
        holder = await CardsFeed(url, settings.amqp_exchange).household()
        await until_card_known(context_of(server.app, IdentityContext), holder)
        async with aiohttp.ClientSession(server.url) as http:
            registration = {
                "card_number": holder.card_number,
                "date_of_birth": holder.date_of_birth.isoformat(),
                "email": email,
                "password": PASSWORD,
                "language": "fi",
            }
            assert (await http.post("/v1/registrations", json=registration)).status == 201
            [verification] = await mail.wait_for("fi.plussa.identity.email_verification.requested")
            await http.post("/v1/email-verifications", json={"token": verification["data"]["token"]})
            login = await http.post("/v1/sessions", json={"email": email, "password": PASSWORD})
            assert login.status == 201, await login.text()
            token: str = (await login.json())["access_token"]
            return token


def identity_signed(server: LiveServer) -> TestTokens:
    """Identity trusts only its own signing key for the service tokens the fuzz signs."""
    from plussa_identity.keys import KEYRING

    signer = server.run(server.app[KEYRING].signer())
    own = TestTokens()
    own.kid, own.private_key = signer.kid, signer.private_key
    return own


def callers_by_access(
    endpoints: Sequence[Endpoint], customer_token: str, tokens: TestTokens
) -> Callable[[APIOperation], list[Caller]]:
    """Each operation is called by whoever its declared access names: nobody for a public
    route, a customer, and a service token carrying every scope of the service."""
    scopes = sorted({scope for e in endpoints for scope in e.access.scopes})
    customer = Caller("customer", tokens.bearer(customer_token))
    service = Caller("service", tokens.bearer(tokens.service("fuzz-client", *scopes)))
    access: dict[tuple[str, str], Access] = {(e.method.upper(), e.openapi_path): e.access for e in endpoints}

    def callers(operation: APIOperation) -> list[Caller]:
        declared = access.get((operation.method.upper(), operation.path))
        if declared is None or declared.public:
            return [Caller("anyone")]
        return ([customer] if declared.customer else []) + ([service] if declared.scopes else [])

    return callers


def is_plumbing(operation: APIOperation) -> bool:
    """Health, metrics and the documents themselves answer no input; the fuzz is for the API."""
    return not operation.path.startswith("/v1/")


def ends_the_caller_last(operation: APIOperation) -> int:
    ranks = [rank for rank, path in enumerate(ENDS_THE_CALLER, start=1) if operation.path.startswith(path)]
    return ranks[0] if ranks else 0


@pytest.mark.parametrize("service", SERVICES)
def test_no_generated_request_gets_a_server_error_or_an_undocumented_answer(
    service: str, service_app: Callable[..., Any], tokens: TestTokens, record_property: Any
) -> None:
    app = service_app(service, **OVERRIDES.get(service, {}))
    with LiveServer(app) as server:
        if service == "identity":
            customer, signing = server.run(identity_customer(server), timeout=30), identity_signed(server)
        else:
            customer, signing = tokens.customer(uuid.uuid4().hex, uuid.uuid4().hex, "main"), tokens
        report = fuzz(
            app[OPENAPI],
            server.url,
            callers_by_access(app[ENDPOINTS], customer, signing),
            examples=max_examples(EXAMPLES),
            skip=is_plumbing,
            order=ends_the_caller_last,
        )
    record_property("fuzz", f"{report.calls} calls, statuses {dict(report.statuses)}")

    assert report.calls > 0 or not any(p.startswith("/v1/") for p in app[OPENAPI]["paths"])
    assert not report.failures, f"{len(report.failures)} fuzz failures in {service}:\n\n{report.describe()}"
    # Only invalid input can be impossible to make (an operation that takes any string, say).
    assert all("(negative data)" in where for where in report.ungenerated), report.ungenerated
