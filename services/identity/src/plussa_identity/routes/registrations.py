"""Registering with a card number, and verifying the e-mail address."""

from datetime import date

from aiohttp import web
from pydantic import BaseModel, Field, SecretStr

from plussa_identity.domain.members import Language
from plussa_identity.keys import context
from plussa_identity.routes.problems import LINK_ERRORS, bad_request
from plussa_identity.use_cases.registration import register, verify_email
from plussa_shared.auth import Access
from plussa_shared.forwarding import client_of
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="registration")


class RegistrationIn(BaseModel):
    """The number of the person's own active Plussa card and the date of birth given on its application."""

    card_number: str = Field(min_length=1, max_length=40, description="16 digits; spaces and dashes are ignored")
    date_of_birth: date = Field(description="As given on the card application")
    email: str = Field(min_length=3, max_length=320, description="Becomes the login once verified")
    password: SecretStr = Field(
        min_length=1, max_length=1024, description="At least 12 characters, not a known leaked password"
    )
    language: Language = Field(default="fi", description="The language of e-mails and texts")


class RegistrationOut(BaseModel):
    """The new login; it can be used once the e-mail address is verified."""

    person_id: str
    email_verification_sent: bool = True


class EmailVerificationIn(BaseModel):
    """The token from the verification link."""

    token: str = Field(min_length=1, max_length=200, description="The `token` parameter of the link")


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
    operation_id="registerCustomer",
    description=(
        "Creates the login of the holder of an active main or parallel card, whose date of birth matches the "
        "card application; a verification link is sent to the e-mail address. 422 `card-not-recognised` "
        "(unknown number and wrong date of birth answer alike; these count against the end user's address), "
        "`card-not-eligible` (`errors[]` at `/card_number`), `weak-password`/`breached-password` (`errors[]` "
        "at `/password`); 409 `already-registered` or `email-in-use` (also the answer to a retried "
        "registration that succeeded)."
    ),
    request_example={
        "card_number": "6064 1234 5678 9012",
        "date_of_birth": "1984-05-17",
        "email": "aino.virtanen@example.com",
        "password": "Mustikka-Piirakka-2024",
        "language": "fi",
    },
    response_example=RegistrationOut(person_id="9b3e5c1a7d2f4e6a8c0b1d3f5a7c9e2b"),
    location="/v1/me/profile",
)
async def post_registration(request: web.Request, body: RegistrationIn) -> RegistrationOut:
    """Register."""
    person_id = await register(
        context(request),
        card_number=body.card_number,
        date_of_birth=body.date_of_birth,
        email=body.email,
        password=body.password.get_secret_value(),
        language=body.language,
        address=client_of(request).address,
    )
    return RegistrationOut(person_id=person_id)


@routes.post(
    "/v1/email-verifications",
    summary="Verify an e-mail address with the token from the link",
    access=Access.anyone(),
    body=EmailVerificationIn,
    response=EmailVerificationOut,
    errors=[400, 409],
    operation_id="verifyEmail",
    description=(
        "Proves the address is the person's: at registration it enables login; after a change in the profile "
        "it replaces the old address. Single use: an unknown, used or expired token is 400 "
        "`invalid-link-token`/`expired-link-token` (a retry after success too); 409 `email-in-use`."
    ),
    request_example={"token": "k2Jd9sEXAMPLE-verification-token-Qw8xRt5"},
    response_example=EmailVerificationOut(email="aino.virtanen@example.com"),
)
async def post_email_verification(request: web.Request, body: EmailVerificationIn) -> EmailVerificationOut:
    """Verify an address."""
    with bad_request(LINK_ERRORS):
        return EmailVerificationOut(email=await verify_email(context(request), body.token))
