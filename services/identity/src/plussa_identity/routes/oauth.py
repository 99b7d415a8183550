"""Service credentials: the OAuth 2.0 client credentials grant, clients and key rotation."""

import base64
import binascii
from typing import Literal
from urllib.parse import unquote

from aiohttp import web
from pydantic import BaseModel, Field, ValidationError

from plussa_identity.keys import context
from plussa_identity.routes.problems import SCOPE_ERRORS, bad_request
from plussa_identity.use_cases import service_clients, signing_keys
from plussa_shared.auth import Access
from plussa_shared.errors import BadRequestError, ProblemError, UnsupportedMediaTypeError
from plussa_shared.forwarding import client_of
from plussa_shared.routing import RouteTable, validation_errors

routes = RouteTable(tag="service credentials")
FORM = "application/x-www-form-urlencoded"


class TokenRequest(BaseModel):
    """RFC 6749 section 4.4: sent form-encoded (or as JSON); the client may authenticate with HTTP Basic instead."""

    grant_type: Literal["client_credentials"]
    client_id: str = Field(min_length=1, max_length=100)
    client_secret: str = Field(min_length=1, max_length=200)
    scope: str | None = Field(default=None, max_length=1000)


class TokenResponse(BaseModel):
    """RFC 6749 section 5.1."""

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
    scope: str


class ClientIn(BaseModel):
    """A store, partner, bank or operator system."""

    client_id: str = Field(min_length=3, max_length=100, pattern=r"^[a-z0-9][a-z0-9._-]+$")
    scopes: list[str] = Field(min_length=1, max_length=20)
    kind: Literal["service", "operator"] = "service"


class ClientOut(BaseModel):
    """The created client; the secret is shown only in this answer."""

    client_id: str
    client_secret: str
    kind: Literal["service", "operator"]
    scopes: list[str]


class ClientView(BaseModel):
    """A client as stored (never its secret)."""

    client_id: str
    kind: Literal["service", "operator"]
    scopes: list[str]


class RotatedKey(BaseModel):
    """The key that signs from now on."""

    kid: str


class OAuthError(ProblemError):
    """A malformed token request (RFC 6749 ``invalid_request``)."""

    status = 400
    slug = "invalid-token-request"
    title = "The token request is not valid"


async def _token_request(request: web.Request) -> TokenRequest:
    if request.content_type == FORM:
        fields: dict[str, str] = {k: str(v) for k, v in (await request.post()).items()}
    elif request.content_type == "application/json":
        try:
            raw = await request.json()
        except ValueError as exc:
            raise BadRequestError("The body is not valid JSON", slug="malformed-json") from exc
        fields = raw if isinstance(raw, dict) else {}
    else:
        raise UnsupportedMediaTypeError(f"Send the body as {FORM}")
    basic = _basic_credentials(request)
    if basic is not None:
        fields = {**fields, "client_id": basic[0], "client_secret": basic[1]}
    try:
        return TokenRequest.model_validate(fields)
    except ValidationError as exc:
        raise OAuthError(error="invalid_request", errors=validation_errors(exc)) from exc


def _basic_credentials(request: web.Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(value, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise OAuthError("The Basic credentials cannot be read", error="invalid_request") from exc
    return unquote(client_id), unquote(secret)


@routes.post(
    "/v1/oauth/token",
    summary="Get a service token with client credentials",
    access=Access.anyone(),
    response=TokenResponse,
    errors=[400, 401, 415, 429],
    operation_id="issueServiceToken",
    description=(
        "The OAuth 2.0 client credentials grant (RFC 6749 section 4.4) for store, till, bank, partner and "
        "operator systems: form-encoded (or JSON) `grant_type=client_credentials`, `client_id`, "
        "`client_secret` (or HTTP Basic) and an optional space-separated `scope` (default: every scope the "
        "client holds). The answer is `Cache-Control: no-store`. Problems carry the RFC 6749 `error` code: "
        "400 `invalid_request`/`invalid_scope`, 401 `invalid_client`; wrong secrets count against the "
        "caller's address (429)."
    ),
    response_example=TokenResponse(
        access_token="eyJhbGciOiJFZERTQSIsImtpZCI6IjNmYTkxYzJlIn0.eyJzdWIiOiJ0aWxsLTEifQ.c2lnbmF0dXJl",  # noqa: S106 - an example
        expires_in=600,
        scope="cards:lookup points:spend",
    ),
)
async def post_oauth_token(request: web.Request) -> web.Response:
    """Problems carry the RFC 6749 ``error`` code as a member too."""
    body = await _token_request(request)
    with bad_request(SCOPE_ERRORS):
        token, scopes = await service_clients.client_token(
            context(request), body.client_id, body.client_secret, body.scope, client_of(request).address
        )
    answer = TokenResponse(access_token=token.token, expires_in=token.expires_in, scope=" ".join(scopes))
    return web.json_response(answer.model_dump(), headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


@routes.post(
    "/v1/clients",
    summary="Create a service or operator client",
    access=Access.services("ops"),
    body=ClientIn,
    response=ClientOut,
    status=201,
    errors=[400, 409],
    operation_id="createClient",
    description=(
        "Creates a service or operator client with the scopes of the event contract (400 `invalid-scope` for "
        "another). The secret is in this answer only and stored hashed (argon2id), so the call takes no "
        "Idempotency-Key (a replay would have to keep the secret): a retry is 409 `client-exists`; replace "
        "a lost secret with the command-line job."
    ),
    request_example=ClientIn(client_id="till-1", scopes=["cards:lookup", "points:spend"]),
    response_example=ClientOut(
        client_id="till-1",
        client_secret="N3vEXAMPLE-client-secret-Ui8sQ1yLk0",  # noqa: S106 - an example
        kind="service",
        scopes=["cards:lookup", "points:spend"],
    ),
    location="/v1/clients/{client_id}",
)
async def post_client(request: web.Request, body: ClientIn) -> ClientOut:
    """Scopes as in the event contract; the secret is returned once and stored hashed (argon2id)."""
    with bad_request(SCOPE_ERRORS):
        created = await service_clients.create_client(context(request), body.client_id, body.scopes, body.kind)
    return ClientOut(
        client_id=created.client_id, client_secret=created.client_secret, kind=created.kind, scopes=created.scopes
    )


@routes.get(
    "/v1/clients/{client_id}",
    summary="A service or operator client",
    access=Access.services("ops"),
    response=ClientView,
    errors=[404],
    operation_id="getClient",
    description="A client's kind and scopes, never its secret; an unknown client is 404.",
    response_example=ClientView(client_id="till-1", kind="service", scopes=["cards:lookup", "points:spend"]),
)
async def get_client(request: web.Request, client_id: str) -> ClientView:
    """Read a client."""
    found = await service_clients.client(context(request), client_id)
    return ClientView(client_id=found.client_id, kind=found.kind, scopes=found.scopes)


@routes.post(
    "/v1/keys/rotate",
    summary="Rotate the token signing key",
    access=Access.services("ops"),
    response=RotatedKey,
    operation_id="rotateSigningKey",
    description=(
        "A new key signs from now on; the old one stays in the JWKS until the tokens it signed have expired, "
        "so nobody is logged out. With an Idempotency-Key a retry answers the first rotation's key."
    ),
    response_example=RotatedKey(kid="7c1e9a3f5b2d4e6a"),
    idempotent=True,
)
async def post_key_rotation(request: web.Request) -> RotatedKey:
    """A new key signs from now on; the old one verifies the tokens it signed until they expire."""
    return RotatedKey(kid=await signing_keys.rotate_keys(context(request)))


FORM_SCHEMA = {
    "required": True,
    "content": {
        FORM: {"schema": {"$ref": "#/components/schemas/TokenRequest"}},
        "application/json": {"schema": {"$ref": "#/components/schemas/TokenRequest"}},
    },
}
