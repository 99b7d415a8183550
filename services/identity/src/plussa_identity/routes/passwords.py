"""Changing the password, and resetting a forgotten one by e-mail."""

from aiohttp import web
from pydantic import BaseModel, Field, SecretStr

from plussa_identity.keys import context
from plussa_identity.routes.problems import LINK_ERRORS, bad_request
from plussa_identity.use_cases import passwords
from plussa_shared.auth import Access
from plussa_shared.forwarding import client_of
from plussa_shared.keys import principal
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="passwords")


class PasswordChangeIn(BaseModel):
    """The current password and the new one."""

    current_password: SecretStr = Field(min_length=1, max_length=1024)
    new_password: SecretStr = Field(
        min_length=1, max_length=1024, description="At least 12 characters, not a known leaked password"
    )


class PasswordResetIn(BaseModel):
    """The login's e-mail address."""

    email: str = Field(min_length=1, max_length=320)


class PasswordResetConfirmIn(BaseModel):
    """The token from the reset link and the new password."""

    token: str = Field(min_length=1, max_length=200, description="The `token` parameter of the reset link")
    new_password: SecretStr = Field(
        min_length=1, max_length=1024, description="At least 12 characters, not a known leaked password"
    )


@routes.put(
    "/v1/me/password",
    summary="Change my password",
    access=Access.customers(),
    body=PasswordChangeIn,
    errors=[403, 429],
    operation_id="changeMyPassword",
    description=(
        "Replaces the password after checking the current one. Every other session of the person ends (and "
        "every service refuses their tokens); this one continues. A wrong current password is 403 "
        "`wrong-current-password` (never 401: the caller stays signed in); a new password the policy refuses "
        "is 422 `weak-password` or `breached-password` with `errors[]` pointing at `/new_password`."
    ),
    request_example={"current_password": "Mustikka-Piirakka-2024", "new_password": "Syksyinen-Sienimetsä-17"},
)
async def put_my_password(request: web.Request, body: PasswordChangeIn) -> None:
    """Change the password."""
    await passwords.change_password(
        context(request),
        principal(request),
        current=body.current_password.get_secret_value(),
        new=body.new_password.get_secret_value(),
        address=client_of(request).address,
    )


@routes.post(
    "/v1/password-resets",
    summary="Ask for a password reset link",
    access=Access.anyone(),
    body=PasswordResetIn,
    status=202,
    errors=[429],
    operation_id="requestPasswordReset",
    description=(
        "Always 202, whether or not the address has a login, and in the same time; the link goes only to a "
        "login's address. Requests count against the end user's address (429 with `Retry-After`). Not "
        "idempotent by key: a repeat sends a new link that replaces the previous one."
    ),
    request_example={"email": "aino.virtanen@example.com"},
)
async def post_password_reset(request: web.Request, body: PasswordResetIn) -> None:
    """Ask for a reset link."""
    await passwords.request_reset(context(request), body.email, client_of(request).address)


@routes.post(
    "/v1/password-resets/confirm",
    summary="Set a new password with the token from the reset link",
    access=Access.anyone(),
    body=PasswordResetConfirmIn,
    errors=[400],
    operation_id="confirmPasswordReset",
    description=(
        "Sets the new password. The token is single use and short-lived (400 `invalid-link-token` or "
        "`expired-link-token`; a retry after success is 400 too, nothing changes twice); every session of "
        "the person ends and the e-mail's login lock is lifted."
    ),
    request_example={"token": "q7Vb0kEXAMPLE-reset-token-Zc3LwP9s2Yd", "new_password": "Syksyinen-Sienimetsä-17"},
)
async def post_password_reset_confirm(request: web.Request, body: PasswordResetConfirmIn) -> None:
    """Confirm a reset."""
    with bad_request(LINK_ERRORS):
        await passwords.confirm_reset(context(request), body.token, body.new_password.get_secret_value())
