"""The person's profile ("Omat tiedot")."""

from datetime import datetime

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from plussa_identity.domain.account import Account, PostalAddress
from plussa_identity.domain.members import Language
from plussa_identity.keys import context
from plussa_identity.use_cases import profile
from plussa_shared.auth import Access
from plussa_shared.errors import ValidationFailedError, field_error
from plussa_shared.keys import principal
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="profile")

PHONE = r"^\+?[0-9][0-9 ()-]{5,24}$"


class ProfileOut(BaseModel):
    """What identity holds about the person."""

    person_id: str
    first_name: str | None
    last_name: str | None
    email: str
    email_verified: bool
    pending_email: str | None = Field(description="A new address waiting for verification")
    phone: str | None
    language: Language
    postal_address: PostalAddress | None
    updated_at: datetime


class ProfilePatch(BaseModel):
    """Only the fields sent change; send null to clear phone or postal address."""

    model_config = ConfigDict(extra="forbid")

    first_name: str | None = Field(default=None, min_length=1, max_length=100)
    last_name: str | None = Field(default=None, min_length=1, max_length=100)
    email: str | None = Field(default=None, min_length=3, max_length=320)
    phone: str | None = Field(default=None, pattern=PHONE)
    language: Language | None = None
    postal_address: PostalAddress | None = None


REQUIRED = ("first_name", "last_name", "email", "language")


def _out(account: Account) -> ProfileOut:
    return ProfileOut.model_validate(account.model_dump(exclude={"password_hash", "created_at", "erased_at"}))


@routes.get("/v1/me/profile", summary="My profile", access=Access.customers(), response=ProfileOut)
async def get_my_profile(request: web.Request) -> ProfileOut:
    """Name, e-mail, phone, language and postal address."""
    return _out(await profile.profile(context(request), principal(request)))


@routes.patch(
    "/v1/me/profile",
    summary="Change my profile",
    access=Access.customers(),
    body=ProfilePatch,
    response=ProfileOut,
    errors=[409],
)
async def patch_my_profile(request: web.Request, body: ProfilePatch) -> ProfileOut:
    """A new e-mail address takes effect once verified through the link sent to it."""
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    cleared = sorted(name for name in REQUIRED if name in changes and changes[name] is None)
    if cleared:
        raise ValidationFailedError(
            errors=[field_error("required", "This field cannot be cleared", pointer=f"/{n}") for n in cleared]
        )
    return _out(await profile.update_profile(context(request), principal(request), changes))
