"""The caller's household: its members, parallel holders and their right to the Plussa money."""

from datetime import date
from typing import Literal

from aiohttp import web
from pydantic import BaseModel

from plussa_cards import views
from plussa_cards.domain.card import Card
from plussa_cards.domain.member import Member
from plussa_cards.keys import context
from plussa_cards.routes.models import CardOut, ParallelHolderOut, PersonIn, Strict
from plussa_cards.use_cases import household
from plussa_shared.auth import Access
from plussa_shared.keys import principal
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="household")


class MemberOut(BaseModel):
    """A member as the caller may see them."""

    person_id: str
    role: Literal["main", "parallel"]
    first_name: str
    last_name: str
    can_use_money: bool
    cards: list[CardOut]


class HouseholdOut(BaseModel):
    """The household: the main holder sees every member and card; a parallel holder themselves."""

    household_id: str
    role: Literal["main", "parallel"]
    members: list[MemberOut]


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
            cards=[CardOut.of(c, today) for c in shown if c.person_id == m.person_id],
        )
        for m in members
    ]


@routes.get("/v1/me/household", summary="My household", access=Access.customers(), response=HouseholdOut)
async def my_household(request: web.Request) -> HouseholdOut:
    """Members and their live cards, as the caller may see them."""
    ctx = context(request)
    view = await views.household_view(ctx, principal(request).require_customer())
    return HouseholdOut(
        household_id=view.actor.household_id,
        role=view.actor.role.value,
        members=members_out(view.members, view.cards, ctx.today()),
    )


@routes.get(
    "/v1/households/{household_id}",
    summary="Any household, for customer service",
    access=Access.services("ops"),
    response=OperatorHouseholdOut,
    errors=(404,),
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
    errors=(403, 409, 422),
)
async def order_parallel_card(request: web.Request, body: PersonIn) -> ParallelHolderOut:
    """The new parallel holder's card is active at once."""
    ctx = context(request)
    added = await household.order_parallel_card(ctx, principal(request).require_customer(), body.details())
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
    errors=(403, 404, 409),
)
async def remove_parallel_holder(request: web.Request, person_id: str) -> None:
    """Remove the parallel holder."""
    await household.remove_parallel_holder(context(request), principal(request).require_customer(), person_id)


@routes.put(
    "/v1/me/household/parallel-holders/{person_id}/money-access",
    summary="Grant or withdraw a parallel holder's right to see and use the Plussa money (main holder)",
    access=Access.customers(),
    body=MoneyAccessIn,
    response=MoneyAccessOut,
    errors=(403, 404, 409, 422),
)
async def set_money_access(request: web.Request, person_id: str, body: MoneyAccessIn) -> MoneyAccessOut:
    """Setting the value it already has changes nothing and publishes nothing."""
    caller = principal(request).require_customer()
    member = await household.set_money_access(context(request), caller, person_id, body.can_use_money)
    return MoneyAccessOut(person_id=member.person_id, can_use_money=member.may_use_money)
