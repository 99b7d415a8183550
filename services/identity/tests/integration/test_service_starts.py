from typing import Any

from plussa_identity.app import create_app
from plussa_identity.settings import IdentitySettings

ROUTES = {
    ("get", "/.well-known/jwks.json"),
    ("post", "/v1/registrations"),
    ("post", "/v1/email-verifications"),
    ("post", "/v1/sessions"),
    ("post", "/v1/sessions/refresh"),
    ("delete", "/v1/sessions/current"),
    ("get", "/v1/me/sessions"),
    ("delete", "/v1/me/sessions/{session_id}"),
    ("put", "/v1/me/password"),
    ("post", "/v1/password-resets"),
    ("post", "/v1/password-resets/confirm"),
    ("get", "/v1/me/profile"),
    ("patch", "/v1/me/profile"),
    ("post", "/v1/me/data-exports"),
    ("get", "/v1/me/data-exports/{request_id}"),
    ("get", "/v1/me/data-exports/{request_id}/download"),
    ("post", "/v1/me/erasure-requests"),
    ("get", "/v1/me/erasure-requests/{request_id}"),
    ("post", "/v1/oauth/token"),
    ("post", "/v1/clients"),
    ("get", "/v1/clients/{client_id}"),
    ("post", "/v1/keys/rotate"),
}


async def test_the_identity_service_is_ready_and_describes_itself(aiohttp_client: Any, settings_for: Any) -> None:
    client = await aiohttp_client(create_app(settings_for(IdentitySettings)))

    ready = await client.get("/health/ready")
    spec = await client.get("/openapi.json")
    metrics = await client.get("/metrics")

    assert ready.status == 200, await ready.text()
    assert (await spec.json())["info"]["title"] == "Plussa identity"
    assert "http_requests_total" in await metrics.text()


async def test_the_openapi_document_describes_every_route_with_its_body(aiohttp_client: Any, settings_for: Any) -> None:
    client = await aiohttp_client(create_app(settings_for(IdentitySettings)))
    document = await (await client.get("/openapi.json")).json()
    described = {(method, path) for path, operations in document["paths"].items() for method in operations}
    assert described == ROUTES
    token = document["paths"]["/v1/oauth/token"]["post"]
    assert "application/x-www-form-urlencoded" in token["requestBody"]["content"]
    assert "TokenRequest" in document["components"]["schemas"]
