"""The caller's household: its members, parallel holders and their right to the Plussa money."""

from datetime import date
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, Field

from plussa_cards import views
from plussa_cards.domain.card import Card
from plussa_cards.domain.member import Member
from plussa_cards.keys import context
from plussa_cards.routes import examples as ex
from plussa_cards.routes.models import CardOut, ParallelHolderOut, PersonIn, Strict
from plussa_cards.use_cases import household
from plussa_shared.auth import Access
from plussa_shared.keys import principal
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="household")

Role = Literal["main", "parallel"]


class MemberOut(BaseModel):
    """A member as the caller may see them."""

    person_id: str
    role: Role = Field(description="`main`: the household's main holder; `parallel`: a parallel holder.")
    first_name: str
    last_name: str
    can_use_money: bool = Field(description="May see and use the household's Plussa money.")
    has_online_account: bool = Field(description="The person has registered in Oma Plussa.")
    cards: list[CardOut] = Field(
        description="Their live cards the caller may see (none of the main holder's for a parallel holder)."
    )


class HouseholdOut(BaseModel):
    """The household: the main holder sees every member and card; a parallel holder sees themselves
    and who the main holder is (name only)."""

    household_id: str
    role: Role = Field(description="The caller's role in the household.")
    members: list[MemberOut]
    version: int = Field(description="Grows on every change the members may see; the `ETag`, for `If-Match`.")


class MoneyAccessIn(Strict):
    """Whether the parallel holder may see and use the Plussa money."""

    can_use_money: bool


class MoneyAccessOut(BaseModel):
    """A parallel holder's right to the Plussa money."""

    person_id: str
    can_use_money: bool


class OperatorHouseholdOut(BaseModel):
    """A household as customer service sees it: every member and live card."""

    household_id: str
    members: list[MemberOut]


def members_out(members: list[Member], shown: list[Card], today: date) -> list[MemberOut]:
    """Each member with their cards among ``shown``."""
    return [
        MemberOut(
            person_id=m.person_id,
            role=m.role.value,
            first_name=m.first_name,
            last_name=m.last_name,
            can_use_money=m.may_use_money,
            has_online_account=m.has_online_account,
            cards=[CardOut.of(c, today) for c in shown if c.person_id == m.person_id],
        )
        for m in members
    ]


HOUSEHOLD_EXAMPLE = {
    "household_id": ex.HOUSEHOLD_ID,
    "role": "main",
    "members": [ex.member(), ex.PARALLEL_MEMBER],
    "version": 7,
}


@routes.get(
    "/v1/me/household",
    summary="My household",
    access=Access.customers(),
    response=HouseholdOut,
    errors=(403,),
    operation_id="getMyHousehold",
    description=(
        "The caller's household. The main holder sees every member and their live cards; a parallel "
        "holder sees themselves with their cards and who the main holder is (their name only, not their "
        "cards nor the money). `has_online_account` says whether a member registered in Oma Plussa. "
        "Answers with `ETag`; send it as `If-Match` with the household's writes."
    ),
    response_example=HOUSEHOLD_EXAMPLE,
    etag="version",
)
async def my_household(request: web.Request) -> HouseholdOut:
    """Members and their live cards, as the caller may see them."""
    ctx = context(request)
    view = await views.household_view(ctx, principal(request).require_customer())
    return HouseholdOut(
        household_id=view.actor.household_id,
        role=view.actor.role.value,
        members=members_out(view.members, view.cards, ctx.today()),
        version=view.version,
    )


@routes.get(
    "/v1/households/{household_id}",
    summary="Any household, for customer service",
    access=Access.services("ops"),
    response=OperatorHouseholdOut,
    errors=(404,),
    operation_id="getHouseholdForOperator",
    description="Every active member of a household and their live cards, for customer service.",
    response_example={"household_id": ex.HOUSEHOLD_ID, "members": [ex.member(), ex.PARALLEL_MEMBER]},
)
async def household_for_operator(request: web.Request, household_id: str) -> OperatorHouseholdOut:
    """Every active member and live card of the household."""
    ctx = context(request)
    members, shown = await views.household_for_operator(ctx, household_id)
    return OperatorHouseholdOut(household_id=household_id, members=members_out(members, shown, ctx.today()))


@routes.post(
    "/v1/me/household/parallel-holders",
    summary="Order a parallel card for a person of my household (main holder)",
    access=Access.customers(),
    body=PersonIn,
    response=ParallelHolderOut,
    status=201,
    errors=(403, 409, 412, 422),
    operation_id="orderParallelCard",
    description=(
        "The main holder adds a person of the household as a parallel holder; their parallel card is "
        "active at once. Whether they may use the Plussa money starts from the programme's default. "
        "`If-Match` takes the household's `ETag`."
    ),
    request_example=ex.PERSON,
    response_example=ex.PARALLEL_HOLDER,
    idempotent=True,
    location="/v1/cards/{card[card_id]}",
    conditional=True,
)
async def order_parallel_card(request: web.Request, body: PersonIn, expected_version: int | None) -> ParallelHolderOut:
    """The new parallel holder's card is active at once."""
    ctx = context(request)
    caller = principal(request).require_customer()
    added = await household.order_parallel_card(ctx, caller, body.details(), expected_version)
    return ParallelHolderOut(
        person_id=added.member.person_id,
        household_id=added.member.household_id,
        can_use_money=added.member.may_use_money,
        card=CardOut.of(added.card, ctx.today()),
    )


@routes.delete(
    "/v1/me/household/parallel-holders/{person_id}",
    summary="Remove a parallel holder; their cards are closed (main holder)",
    access=Access.customers(),
    status=204,
    errors=(403, 404, 409, 412),
    operation_id="removeParallelHolder",
    description=(
        "The main holder removes a parallel holder: their Plussa cards are closed, and their K-Plussa "
        "MasterCards, which are their own, leave the household with them (no longer earning for it). "
        "`If-Match` takes the household's `ETag`."
    ),
    conditional=True,
)
async def remove_parallel_holder(request: web.Request, person_id: str, expected_version: int | None) -> None:
    """Remove the parallel holder."""
    caller = principal(request).require_customer()
    await household.remove_parallel_holder(context(request), caller, person_id, expected_version)


@routes.put(
    "/v1/me/household/parallel-holders/{person_id}/money-access",
    summary="Grant or withdraw a parallel holder's right to see and use the Plussa money (main holder)",
    access=Access.customers(),
    body=MoneyAccessIn,
    response=MoneyAccessOut,
    errors=(403, 404, 409, 412, 422),
    operation_id="setMoneyAccess",
    description=(
        "The main holder grants (`true`) or withdraws (`false`) a parallel holder's right to see and "
        "use the household's Plussa money. Setting the value it already has changes nothing. "
        "`If-Match` takes the household's `ETag`."
    ),
    request_example={"can_use_money": True},
    response_example={"person_id": ex.PARALLEL_ID, "can_use_money": True},
    conditional=True,
)
async def set_money_access(
    request: web.Request, person_id: str, body: MoneyAccessIn, expected_version: int | None
) -> MoneyAccessOut:
    """Setting the value it already has changes nothing and publishes nothing."""
    caller = principal(request).require_customer()
    member = await household.set_money_access(context(request), caller, person_id, body.can_use_money, expected_version)
    return MoneyAccessOut(person_id=member.person_id, can_use_money=member.may_use_money)
