"""Joining Plussa: a new customer's card application."""

from typing import Annotated, Literal

from aiohttp import web
from pydantic import BaseModel, StringConstraints

from plussa_cards.domain.member import Address, PersonDetails
from plussa_cards.keys import context
from plussa_cards.routes import examples as ex
from plussa_cards.routes.models import BirthDate, CardOut, Email, Name, Strict
from plussa_cards.use_cases import applications
from plussa_shared.auth import Access
from plussa_shared.forwarding import client_of
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="applications")


class AddressIn(Strict):
    """Where the card is sent."""

    street: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")
    ]
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{5}$")]
    city: Name
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] = "FI"


class ApplicationIn(Strict):
    """A card application."""

    first_name: Name
    last_name: Name
    date_of_birth: BirthDate
    email: Email
    language: Literal["fi", "sv", "en"] = "fi"
    address: AddressIn


class ApplicationOut(BaseModel):
    """The new membership: the household, the person (its main holder) and their card."""

    household_id: str
    person_id: str
    role: Literal["main"] = "main"
    card: CardOut


@routes.post(
    "/v1/applications",
    summary="Apply for a Plussa card: creates a household with the applicant as main holder and an active main card",
    access=Access.anyone(),
    body=ApplicationIn,
    response=ApplicationOut,
    status=201,
    errors=(409, 422, 429),
    operation_id="applyForCard",
    description=(
        "Anyone may apply: the applicant becomes the main holder of a new household with an active main "
        "card, usable at a till and for registering in Oma Plussa at once. One membership per person: "
        "the same name and date of birth, or the same e-mail, is 409 `already-a-member`. That answer is "
        "limited per client address; past the limit every application from the address is 429 "
        "`too-many-applications` with `Retry-After`."
    ),
    request_example={
        "first_name": "Aino",
        "last_name": "Virtanen",
        "date_of_birth": "1985-03-14",
        "email": "aino.virtanen@example.com",
        "language": "fi",
        "address": {"street": "Hämeenkatu 5", "postal_code": "33100", "city": "Tampere", "country": "FI"},
    },
    response_example={
        "household_id": ex.HOUSEHOLD_ID,
        "person_id": ex.MAIN_ID,
        "role": "main",
        "card": ex.card(),
    },
    location="/v1/cards/{card[card_id]}",
)
async def apply(request: web.Request, body: ApplicationIn) -> ApplicationOut:
    """The card is active at once: its number can be used at a till and for registering in Oma Plussa."""
    ctx = context(request)
    details = PersonDetails(
        first_name=body.first_name,
        last_name=body.last_name,
        date_of_birth=body.date_of_birth,
        email=body.email,
        language=body.language,
        address=Address(**body.address.model_dump()),
    )
    joined = await applications.apply(ctx, details, client_of(request).address)
    return ApplicationOut(
        household_id=joined.household.household_id,
        person_id=joined.member.person_id,
        card=CardOut.of(joined.card, ctx.today()),
    )
