"""Login, refresh, logout and the person's sessions."""

from datetime import UTC, datetime
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, Field, SecretStr

from plussa_identity.keys import context
from plussa_identity.use_cases import sessions
from plussa_shared.auth import Access
from plussa_shared.forwarding import client_of
from plussa_shared.keys import principal
from plussa_shared.paging import Page, PageQuery
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="sessions")

SESSION_ID = "5f0c2a7e9b1d4c3e8a6f0b2d4e6f8a1c"
EXAMPLE_TOKENS = {
    "access_token": "eyJhbGciOiJFZERTQSIsImtpZCI6IjNmYTkxYzJlIn0.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl",
    "token_type": "Bearer",
    "expires_in": 300,
    "refresh_token": "3q2-7wEXAMPLE-refresh-token-Tk9YkQ2s0l7mJx1Vb5n8",
    "session_id": SESSION_ID,
}


class LoginIn(BaseModel):
    """The credentials created at registration."""

    email: str = Field(min_length=1, max_length=320, description="The login's e-mail address")
    password: SecretStr = Field(min_length=1, max_length=1024)


class RefreshIn(BaseModel):
    """The refresh token of the last login or refresh; it can be used once."""

    refresh_token: str = Field(min_length=1, max_length=200)


class TokensOut(BaseModel):
    """A short-lived access token and the refresh token that renews it."""

    access_token: str = Field(description="EdDSA JWT; send as `Authorization: Bearer ...`")
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int = Field(description="Seconds the access token is valid")
    refresh_token: str = Field(description="Single use: exchange it at /v1/sessions/refresh for new tokens")
    session_id: str = Field(description="The session these tokens belong to (as in the session list)")


class SessionOut(BaseModel):
    """One of the person's logged-in devices or browsers."""

    session_id: str
    created_at: datetime = Field(description="When the person logged in")
    last_used_at: datetime = Field(description="The last login or refresh")
    expires_at: datetime = Field(description="When the session ends unless refreshed before")
    user_agent: str | None = Field(description="The browser or app that logged in (as the BFF forwarded it)")
    address: str | None = Field(description="The end user's address at login (as the BFF forwarded it)")
    current: bool = Field(description="Whether this is the session of the token that asked")


class SessionsQuery(PageQuery):
    """A page of the session list."""


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
    operation_id="logIn",
    description=(
        "Starts a session and answers its tokens (`Cache-Control: no-store`). A wrong password and an "
        "unknown address both answer 401 `invalid-credentials`; 403 `email-not-verified` or "
        "`membership-ended`. Failures lock the e-mail address and the end user's address for a growing, "
        "expiring while (429 with `Retry-After`), and checks already running count against the limit."
    ),
    request_example={"email": "aino.virtanen@example.com", "password": "Mustikka-Piirakka-2024"},
    response_example=EXAMPLE_TOKENS,
    location="/v1/me/sessions/{session_id}",
)
async def post_session(request: web.Request, body: LoginIn) -> TokensOut:
    """Log in."""
    client = client_of(request)
    tokens = await sessions.login(
        context(request),
        email=body.email,
        password=body.password.get_secret_value(),
        address=client.address,
        user_agent=client.user_agent,
    )
    return _tokens(tokens)


@routes.post(
    "/v1/sessions/refresh",
    summary="Renew the access token with the refresh token",
    access=Access.anyone(),
    body=RefreshIn,
    response=TokensOut,
    errors=[401, 403],
    operation_id="refreshSession",
    description=(
        "Exchanges the refresh token for new tokens (`Cache-Control: no-store`); the presented one is spent. "
        "Presenting a spent one again ends the whole session (401 `refresh-token-reused`) and every service "
        "refuses its access tokens within seconds."
    ),
    request_example={"refresh_token": EXAMPLE_TOKENS["refresh_token"]},
    response_example=EXAMPLE_TOKENS,
)
async def post_refresh(request: web.Request, body: RefreshIn) -> TokensOut:
    """Refresh."""
    return _tokens(await sessions.refresh(context(request), body.refresh_token))


@routes.delete(
    "/v1/sessions/current",
    summary="Log out",
    access=Access.customers(),
    operation_id="logOut",
    description=(
        "Ends the session of the access token: its refresh token stops working at once, and every service "
        "refuses its access tokens within a couple of seconds."
    ),
)
async def delete_current_session(request: web.Request) -> None:
    """Log out."""
    await sessions.log_out(context(request), principal(request))


@routes.get(
    "/v1/me/sessions",
    summary="My active sessions",
    access=Access.customers(),
    query=SessionsQuery,
    response=Page[SessionOut],
    operation_id="listMySessions",
    description="The caller's sessions that are neither ended nor expired, newest first, a page at a time.",
    response_example=Page[SessionOut](
        items=[
            SessionOut(
                session_id=SESSION_ID,
                created_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
                last_used_at=datetime(2026, 3, 1, 9, 35, tzinfo=UTC),
                expires_at=datetime(2026, 3, 15, 9, 35, tzinfo=UTC),
                user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)",
                address="198.51.100.7",
                current=True,
            )
        ],
        next_cursor=None,
    ),
)
async def get_my_sessions(request: web.Request, query: SessionsQuery) -> Page[SessionOut]:
    """List my sessions."""
    page = await sessions.my_sessions(context(request), principal(request), limit=query.size, cursor=query.cursor)
    return Page[SessionOut](
        items=[
            SessionOut(
                session_id=s.session_id,
                created_at=s.created_at,
                last_used_at=s.last_used_at,
                expires_at=s.expires_at,
                user_agent=s.user_agent,
                address=s.address,
                current=s.session_id == page.current_id,
            )
            for s in page.sessions
        ],
        next_cursor=page.next_cursor,
    )


@routes.delete(
    "/v1/me/sessions/{session_id}",
    summary="End one of my sessions",
    access=Access.customers(),
    errors=[404],
    operation_id="endMySession",
    description=(
        "Ends one of the caller's sessions (a lost phone); every service refuses its tokens within a couple of "
        "seconds. Another person's session, or one already ended, is 404."
    ),
)
async def delete_my_session(request: web.Request, session_id: str) -> None:
    """End a session."""
    await sessions.end_session(context(request), principal(request), session_id)
