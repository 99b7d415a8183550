"""Changing the password, and resetting a forgotten one by e-mail."""

from aiohttp import web
from pydantic import BaseModel, Field, SecretStr

from plussa_identity.keys import context
from plussa_identity.routes.caller import client_address
from plussa_identity.routes.problems import LINK_ERRORS, bad_request
from plussa_identity.use_cases import passwords
from plussa_shared.auth import Access
from plussa_shared.keys import principal
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="passwords")


class PasswordChangeIn(BaseModel):
    """The current password and the new one."""

    current_password: SecretStr = Field(min_length=1, max_length=1024)
    new_password: SecretStr = Field(min_length=1, max_length=1024)


class PasswordResetIn(BaseModel):
    """The login's e-mail address."""

    email: str = Field(min_length=1, max_length=320)


class PasswordResetConfirmIn(BaseModel):
    """The token from the reset link and the new password."""

    token: str = Field(min_length=1, max_length=200)
    new_password: SecretStr = Field(min_length=1, max_length=1024)


@routes.put(
    "/v1/me/password",
    summary="Change my password",
    access=Access.customers(),
    body=PasswordChangeIn,
    errors=[429],
)
async def put_my_password(request: web.Request, body: PasswordChangeIn) -> None:
    """Every other session of the person ends; this one continues."""
    await passwords.change_password(
        context(request),
        principal(request),
        current=body.current_password.get_secret_value(),
        new=body.new_password.get_secret_value(),
        address=client_address(request),
    )


@routes.post(
    "/v1/password-resets",
    summary="Ask for a password reset link",
    access=Access.anyone(),
    body=PasswordResetIn,
    status=202,
    errors=[429],
)
async def post_password_reset(request: web.Request, body: PasswordResetIn) -> None:
    """Always 202, whether or not the address has a login; the link goes only to a login's address."""
    await passwords.request_reset(context(request), body.email, client_address(request))


@routes.post(
    "/v1/password-resets/confirm",
    summary="Set a new password with the token from the reset link",
    access=Access.anyone(),
    body=PasswordResetConfirmIn,
)
async def post_password_reset_confirm(request: web.Request, body: PasswordResetConfirmIn) -> None:
    """Single use and short-lived; all sessions of the person end."""
    with bad_request(LINK_ERRORS):
        await passwords.confirm_reset(context(request), body.token, body.new_password.get_secret_value())
