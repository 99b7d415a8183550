"""Registering with a card number, and verifying the e-mail address."""

from datetime import date

from aiohttp import web
from pydantic import BaseModel, Field, SecretStr

from plussa_identity.domain.members import Language
from plussa_identity.keys import context
from plussa_identity.routes.caller import client_address
from plussa_identity.routes.problems import LINK_ERRORS, bad_request
from plussa_identity.use_cases.registration import register, verify_email
from plussa_shared.auth import Access
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="registration")


class RegistrationIn(BaseModel):
    """The number of the person's own active Plussa card and the date of birth given on its application."""

    card_number: str = Field(min_length=1, max_length=40, examples=["6064 1234 5678 9012"])
    date_of_birth: date
    email: str = Field(min_length=3, max_length=320)
    password: SecretStr = Field(min_length=1, max_length=1024)
    language: Language = "fi"


class RegistrationOut(BaseModel):
    """The new login; it can be used once the e-mail address is verified."""

    person_id: str
    email_verification_sent: bool = True


class EmailVerificationIn(BaseModel):
    """The token from the verification link."""

    token: str = Field(min_length=1, max_length=200)


class EmailVerificationOut(BaseModel):
    """The address now verified."""

    email: str
    verified: bool = True


@routes.post(
    "/v1/registrations",
    summary="Register with a Plussa card number",
    access=Access.anyone(),
    body=RegistrationIn,
    response=RegistrationOut,
    status=201,
    errors=[409, 429],
)
async def post_registration(request: web.Request, body: RegistrationIn) -> RegistrationOut:
    """Create a login for the holder of the card; a verification link is sent to the e-mail address."""
    person_id = await register(
        context(request),
        card_number=body.card_number,
        date_of_birth=body.date_of_birth,
        email=body.email,
        password=body.password.get_secret_value(),
        language=body.language,
        address=client_address(request),
    )
    return RegistrationOut(person_id=person_id)


@routes.post(
    "/v1/email-verifications",
    summary="Verify an e-mail address with the token from the link",
    access=Access.anyone(),
    body=EmailVerificationIn,
    response=EmailVerificationOut,
    errors=[409],
)
async def post_email_verification(request: web.Request, body: EmailVerificationIn) -> EmailVerificationOut:
    """Single use; an expired or used token is refused."""
    with bad_request(LINK_ERRORS):
        return EmailVerificationOut(email=await verify_email(context(request), body.token))
