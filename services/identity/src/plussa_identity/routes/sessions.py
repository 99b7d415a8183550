"""Login, refresh, logout and the person's sessions."""

from datetime import datetime
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, Field, SecretStr

from plussa_identity.keys import context
from plussa_identity.routes.caller import client_address
from plussa_identity.use_cases import sessions
from plussa_shared.auth import Access
from plussa_shared.keys import principal
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="sessions")


class LoginIn(BaseModel):
    """The credentials created at registration."""

    email: str = Field(min_length=1, max_length=320)
    password: SecretStr = Field(min_length=1, max_length=1024)


class RefreshIn(BaseModel):
    """The refresh token of the last login or refresh; it can be used once."""

    refresh_token: str = Field(min_length=1, max_length=200)


class TokensOut(BaseModel):
    """A short-lived access token and the refresh token that renews it."""

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int = Field(description="Seconds the access token is valid")
    refresh_token: str
    session_id: str


class SessionOut(BaseModel):
    """One of the person's logged-in devices or browsers."""

    session_id: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    user_agent: str | None
    address: str | None
    current: bool


def _tokens(tokens: sessions.Tokens) -> TokensOut:
    return TokensOut(
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
        refresh_token=tokens.refresh_token,
        session_id=tokens.session_id,
    )


@routes.post(
    "/v1/sessions",
    summary="Log in with e-mail and password",
    access=Access.anyone(),
    body=LoginIn,
    response=TokensOut,
    status=201,
    errors=[401, 403, 429],
)
async def post_session(request: web.Request, body: LoginIn) -> TokensOut:
    """Repeated failures lock the e-mail address and the client address for a growing, expiring while."""
    tokens = await sessions.login(
        context(request),
        email=body.email,
        password=body.password.get_secret_value(),
        address=client_address(request),
        user_agent=request.headers.get("User-Agent"),
    )
    return _tokens(tokens)


@routes.post(
    "/v1/sessions/refresh",
    summary="Renew the access token with the refresh token",
    access=Access.anyone(),
    body=RefreshIn,
    response=TokensOut,
    errors=[401, 403],
)
async def post_refresh(request: web.Request, body: RefreshIn) -> TokensOut:
    """The refresh token is replaced by a new one; presenting a used one ends the session."""
    return _tokens(await sessions.refresh(context(request), body.refresh_token))


@routes.delete("/v1/sessions/current", summary="Log out", access=Access.customers())
async def delete_current_session(request: web.Request) -> None:
    """End the session of the access token; its refresh token stops working at once."""
    await sessions.log_out(context(request), principal(request))


@routes.get("/v1/me/sessions", summary="My active sessions", access=Access.customers(), response=list[SessionOut])
async def get_my_sessions(request: web.Request) -> list[SessionOut]:
    """Every session that is neither ended nor expired, newest first."""
    found, current_id = await sessions.my_sessions(context(request), principal(request))
    return [
        SessionOut(
            session_id=s.session_id,
            created_at=s.created_at,
            last_used_at=s.last_used_at,
            expires_at=s.expires_at,
            user_agent=s.user_agent,
            address=s.address,
            current=s.session_id == current_id,
        )
        for s in found
    ]


@routes.delete(
    "/v1/me/sessions/{session_id}", summary="End one of my sessions", access=Access.customers(), errors=[404]
)
async def delete_my_session(request: web.Request, session_id: str) -> None:
    """Another person's session is 404."""
    await sessions.end_session(context(request), principal(request), session_id)
