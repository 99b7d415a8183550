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

import pytest
from schemathesis import APIOperation

from plussa_shared.auth import Access
from plussa_shared.bus_access import SERVICES
from plussa_shared.keys import ENDPOINTS, OPENAPI
from plussa_shared.routing import Endpoint
from plussa_shared.testing.fuzz import Caller, fuzz, max_examples
from plussa_shared.testing.live import LiveServer
from plussa_shared.testing.tokens import TestTokens

EXAMPLES = 4
FAST_HASHING = {"argon2_time_cost": 1, "argon2_memory_cost_kib": 64, "argon2_parallelism": 1}
OVERRIDES: dict[str, dict[str, Any]] = {"identity": FAST_HASHING}


def signing_tokens(service: str, server: LiveServer, tokens: TestTokens) -> TestTokens:
    """Identity trusts only its own signing key; every other service trusts the test JWKS."""
    if service != "identity":
        return tokens
    from plussa_identity.keys import KEYRING

    signer = server.run(server.app[KEYRING].signer())
    own = TestTokens()
    own.kid, own.private_key = signer.kid, signer.private_key
    return own


def callers_by_access(endpoints: Sequence[Endpoint], tokens: TestTokens) -> Callable[[APIOperation], list[Caller]]:
    """Each operation is called by whoever its declared access names: nobody for a public
    route, a customer, and a service token carrying every scope of the service."""
    scopes = sorted({scope for e in endpoints for scope in e.access.scopes})
    customer = Caller("customer", tokens.bearer(tokens.customer(uuid.uuid4().hex, uuid.uuid4().hex, "main")))
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


@pytest.mark.parametrize("service", SERVICES)
def test_no_generated_request_gets_a_server_error_or_an_undocumented_answer(
    service: str, service_app: Callable[..., Any], tokens: TestTokens
) -> None:
    app = service_app(service, **OVERRIDES.get(service, {}))
    with LiveServer(app) as server:
        signed = signing_tokens(service, server, tokens)
        report = fuzz(
            app[OPENAPI],
            server.url,
            callers_by_access(app[ENDPOINTS], signed),
            examples=max_examples(EXAMPLES),
            skip=is_plumbing,
        )

    assert report.calls > 0 or not any(p.startswith("/v1/") for p in app[OPENAPI]["paths"])
    assert not report.failures, f"{len(report.failures)} fuzz failures in {service}:\n\n{report.describe()}"
