"""The household's people: handing the household over, and names (cards owns a person's name)."""

from typing import Literal

from aiohttp import web
from pydantic import BaseModel, Field

from plussa_cards.keys import context
from plussa_cards.routes import examples as ex
from plussa_cards.routes.models import Name, PersonId, Strict
from plussa_cards.use_cases import members
from plussa_cards.use_cases.members import Changed
from plussa_shared.auth import Access
from plussa_shared.keys import principal
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="household")


class HandOverIn(Strict):
    """Who becomes the main holder: an adult parallel holder of the household."""

    person_id: PersonId


class NameIn(Strict):
    """A person's name as they want it shown."""

    first_name: Name
    last_name: Name


class PersonOut(BaseModel):
    """A member after the change, and the household's version after it (its `ETag`)."""

    person_id: str
    household_id: str
    role: Literal["main", "parallel"] = Field(description="The member's role in the household after the change.")
    first_name: str
    last_name: str
    can_use_money: bool
    version: int = Field(description="The household's version after the change; the `ETag`.")

    @classmethod
    def of(cls, changed: Changed) -> "PersonOut":
        """The view of ``changed``."""
        m = changed.member
        return cls(
            person_id=m.person_id,
            household_id=m.household_id,
            role=m.role.value,
            first_name=m.first_name,
            last_name=m.last_name,
            can_use_money=m.may_use_money,
            version=changed.version,
        )


NAME_EXAMPLE = {"first_name": "Aino-Maria", "last_name": "Virtanen"}
PERSON_EXAMPLE = {
    "person_id": ex.MAIN_ID,
    "household_id": ex.HOUSEHOLD_ID,
    "role": "main",
    "first_name": "Aino-Maria",
    "last_name": "Virtanen",
    "can_use_money": True,
    "version": 8,
}


@routes.post(
    "/v1/me/household/hand-over",
    summary="Make an adult parallel holder the household's main holder (main holder)",
    access=Access.customers(),
    body=HandOverIn,
    response=PersonOut,
    errors=(403, 404, 409, 412, 422),
    operation_id="handOverHousehold",
    description=(
        "The main holder hands the household over to a parallel holder who is 18 or older. The Plussa "
        "money, savings, charity, statements and cards stay with the household. The new main holder has "
        "every right; the caller stays on as a parallel holder who may still use the money (the new main "
        "holder may withdraw it). Refused: a person outside the household (404), a minor (422, "
        "`not-an-adult`), a caller who is not the main holder (403). The answer is the new main holder. "
        "`If-Match` takes the household's `ETag`."
    ),
    request_example={"person_id": ex.PARALLEL_ID},
    response_example={
        **PERSON_EXAMPLE,
        "person_id": ex.PARALLEL_ID,
        "first_name": "Eero",
        "last_name": "Virtanen",
    },
    idempotent=True,
    etag="version",
    conditional=True,
)
async def hand_over(request: web.Request, body: HandOverIn, expected_version: int | None) -> PersonOut:
    """The household gets a new main holder."""
    caller = principal(request).require_customer()
    return PersonOut.of(await members.hand_over(context(request), caller, body.person_id, expected_version))


@routes.patch(
    "/v1/me/person",
    summary="Change my name",
    access=Access.customers(),
    body=NameIn,
    response=PersonOut,
    errors=(403, 409, 412, 422),
    operation_id="renameMe",
    description=(
        "A member changes the name the programme knows them by. Cards owns a person's name and date of "
        "birth; the other services learn the change from `fi.plussa.cards.member.renamed`. "
        "`If-Match` takes the household's `ETag`."
    ),
    request_example=NAME_EXAMPLE,
    response_example=PERSON_EXAMPLE,
    etag="version",
    conditional=True,
)
async def rename_me(request: web.Request, body: NameIn, expected_version: int | None) -> PersonOut:
    """Renaming to the same name changes nothing."""
    caller = principal(request).require_customer()
    changed = await members.rename(context(request), caller, caller, body.first_name, body.last_name, expected_version)
    return PersonOut.of(changed)


@routes.patch(
    "/v1/me/household/members/{person_id}",
    summary="Correct a household member's name (main holder; anyone for themselves)",
    access=Access.customers(),
    body=NameIn,
    response=PersonOut,
    errors=(403, 404, 409, 412, 422),
    operation_id="renameHouseholdMember",
    description=(
        "The main holder corrects a parallel holder's name (a member may also change their own here). "
        "`If-Match` takes the household's `ETag`."
    ),
    request_example={"first_name": "Eero", "last_name": "Virtanen"},
    response_example={**PERSON_EXAMPLE, "person_id": ex.PARALLEL_ID, "role": "parallel", "can_use_money": False},
    etag="version",
    conditional=True,
)
async def rename_member(request: web.Request, person_id: str, body: NameIn, expected_version: int | None) -> PersonOut:
    """A parallel holder may not rename another member (403)."""
    caller = principal(request).require_customer()
    changed = await members.rename(
        context(request), caller, person_id, body.first_name, body.last_name, expected_version
    )
    return PersonOut.of(changed)
