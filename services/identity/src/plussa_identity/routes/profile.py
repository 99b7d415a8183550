"""The person's profile ("Omat tiedot")."""

from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from plussa_identity.domain.account import PostalAddress
from plussa_identity.domain.members import Language
from plussa_identity.keys import context
from plussa_identity.use_cases import profile
from plussa_shared.auth import Access
from plussa_shared.errors import ValidationFailedError, field_error
from plussa_shared.keys import principal
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="profile")

PHONE = r"^\+?[0-9][0-9 ()-]{5,24}$"
NAMES_AT_CARDS = (
    "A name is changed at the cards service, which keeps it from the card application "
    "(the household's member details); identity's profile shows it from there"
)


class ProfileOut(BaseModel):
    """What identity holds about the person."""

    person_id: str
    first_name: str | None = Field(description="Read only here: owned by the cards service")
    last_name: str | None = Field(description="Read only here: owned by the cards service")
    email: str = Field(description="The login and contact address")
    email_verified: bool
    pending_email: str | None = Field(description="A new address waiting for verification")
    phone: str | None
    language: Language = Field(description="The language of e-mails and texts")
    postal_address: PostalAddress | None
    updated_at: datetime
    version: int = Field(description="Grows with every change; the ETag")


class ProfilePatch(BaseModel):
    """Only the fields sent change; send null to clear phone or postal address. Names are not
    changed here (422 `validation-failed`, code `owned_by_cards`)."""

    model_config = ConfigDict(extra="forbid")

    email: str | None = Field(default=None, min_length=3, max_length=320, description="Takes effect once verified")
    phone: str | None = Field(default=None, pattern=PHONE)
    language: Language | None = None
    postal_address: PostalAddress | None = None
    first_name: SkipJsonSchema[Any] = None
    last_name: SkipJsonSchema[Any] = None

    @field_validator("first_name", "last_name", mode="before")
    @classmethod
    def _names_are_changed_at_cards(cls, value: Any) -> Any:
        raise PydanticCustomError("owned_by_cards", NAMES_AT_CARDS)


REQUIRED = ("email", "language")
EXAMPLE = ProfileOut(
    person_id="9b3e5c1a7d2f4e6a8c0b1d3f5a7c9e2b",
    first_name="Aino",
    last_name="Virtanen",
    email="aino.virtanen@example.com",
    email_verified=True,
    pending_email=None,
    phone="+358 40 123 4567",
    language="fi",
    postal_address=PostalAddress(street="Mannerheimintie 1 A 2", postal_code="00100", city="Helsinki"),
    updated_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    version=3,
)


def _out(found: profile.Profile) -> ProfileOut:
    account = found.account
    return ProfileOut.model_validate(
        {
            **account.model_dump(exclude={"password_hash", "created_at", "erased_at"}),
            "first_name": found.first_name,
            "last_name": found.last_name,
        }
    )


@routes.get(
    "/v1/me/profile",
    summary="My profile",
    access=Access.customers(),
    response=ProfileOut,
    operation_id="getMyProfile",
    description=(
        "The caller's name (as the cards service keeps it), e-mail address, phone, language and postal "
        "address, with an `ETag`; `If-None-Match` with the current tag is 304."
    ),
    response_example=EXAMPLE,
    etag="version",
)
async def get_my_profile(request: web.Request) -> ProfileOut:
    """Read my profile."""
    return _out(await profile.profile(context(request), principal(request)))


@routes.patch(
    "/v1/me/profile",
    summary="Change my profile",
    access=Access.customers(),
    body=ProfilePatch,
    response=ProfileOut,
    errors=[409],
    operation_id="updateMyProfile",
    description=(
        "Changes the fields sent. A new e-mail address takes effect once verified through the link sent to "
        "it (409 `email-in-use`). Names are owned by the cards service: sending `first_name` or `last_name` "
        "is 422 `validation-failed` with code `owned_by_cards`. With `If-Match`, a profile changed since is "
        "412 and nothing changes. Language and address changes are published as `identity.profile.updated`."
    ),
    request_example={"phone": "+358 40 123 4567", "language": "sv"},
    response_example=EXAMPLE,
    etag="version",
    conditional=True,
)
async def patch_my_profile(request: web.Request, body: ProfilePatch, expected_version: int | None) -> ProfileOut:
    """Change my profile."""
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    cleared = sorted(name for name in REQUIRED if name in changes and changes[name] is None)
    if cleared:
        raise ValidationFailedError(
            errors=[field_error("required", "This field cannot be cleared", pointer=f"/{n}") for n in cleared]
        )
    changed = await profile.update_profile(
        context(request), principal(request), changes, expected_version=expected_version
    )
    return _out(changed)
