"""A small sample service that declares every HTTP convention, for the shared tests and as
a model for services: a caller's own items (paged, created idempotently, versioned with
ETags and conditional updates), public reference data in three languages, a greeting in
the caller's language, and the forwarded end user."""

import asyncio
import uuid
from datetime import UTC, datetime
from enum import StrEnum

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from plussa_shared.auth import Access
from plussa_shared.caching import Cache
from plussa_shared.errors import NotFoundError, PreconditionFailedError
from plussa_shared.forwarding import client_of
from plussa_shared.keys import DB, principal
from plussa_shared.languages import LocalizedText, language_of
from plussa_shared.money import Money
from plussa_shared.paging import Page, PageQuery, keyset_page
from plussa_shared.routing import RouteTable

ITEMS = "items"
GATE = web.AppKey("sample_gate", asyncio.Event)
"""When set on the app, creating an item waits for this event (to hold a request in flight)."""

items = RouteTable(tag="items")
reference = RouteTable(tag="reference")


class ItemState(StrEnum):
    """Where an item is in its life."""

    ACTIVE = "active"
    ARCHIVED = "archived"


class NewItem(BaseModel):
    """An item to create."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, description="What the caller calls it")
    price: Money = Field(description="Its price")


class ItemChange(BaseModel):
    """The new name and state of an item."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    state: ItemState


class Item(BaseModel):
    """One of the caller's items."""

    item_id: str
    name: str
    price: Money
    state: ItemState
    created_at: datetime = Field(description="When it was created (an instant, UTC)")
    version: int = Field(description="Grows by one on every change; sent as the ETag")


class ItemsQuery(PageQuery):
    """Paging, and an optional state."""

    state: ItemState | None = Field(default=None, description="Only items in this state")


EXAMPLE_ITEM = Item(
    item_id="3f1c2a7e",
    name="Lamp",
    price=Money.eur(1990),
    state=ItemState.ACTIVE,
    created_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    version=1,
)


def _item(doc: dict[str, object]) -> Item:
    return Item.model_validate({**doc, "item_id": doc["_id"]})


@items.get(
    "/v1/items",
    summary="List my items",
    access=Access.customers(),
    query=ItemsQuery,
    response=Page[Item],
    operation_id="listMyItems",
    description="The caller's items, newest first, a page at a time.",
    response_example=Page[Item](items=[EXAMPLE_ITEM], next_cursor="eyJzIjoiY3JlYXRlZF9hdCJ9"),
)
async def list_items(request: web.Request, query: ItemsQuery) -> Page[Item]:
    """A page of the caller's items."""
    where: dict[str, object] = {"owner": principal(request).subject}
    if query.state is not None:
        where["state"] = query.state.value
    docs, cursor = await keyset_page(
        request.app[DB][ITEMS], where, sort_key="created_at", limit=query.size, cursor=query.cursor
    )
    return Page[Item](items=[_item(d) for d in docs], next_cursor=cursor)


@items.post(
    "/v1/items",
    summary="Create an item",
    access=Access.customers(),
    body=NewItem,
    response=Item,
    status=201,
    operation_id="createItem",
    description="Creates an item for the caller. Send an Idempotency-Key to retry safely.",
    request_example=NewItem(name="Lamp", price=Money.eur(1990)),
    response_example=EXAMPLE_ITEM,
    idempotent=True,
    location="/v1/items/{item_id}",
    etag="version",
)
async def create_item(request: web.Request, body: NewItem) -> Item:
    """Store a new item."""
    gate = request.app.get(GATE)
    if gate is not None:
        await gate.wait()
    doc = {
        "_id": uuid.uuid4().hex,
        "owner": principal(request).subject,
        "name": body.name,
        "price": body.price.model_dump(),
        "state": ItemState.ACTIVE.value,
        "created_at": datetime.now(UTC),
        "version": 1,
    }
    await request.app[DB][ITEMS].insert_one(doc)
    return _item(doc)


@items.get(
    "/v1/items/{item_id}",
    summary="One of my items",
    access=Access.customers(),
    response=Item,
    errors=[404],
    operation_id="getMyItem",
    description="One of the caller's items; another caller's is a 404.",
    response_example=EXAMPLE_ITEM,
    etag="version",
)
async def get_item(request: web.Request, item_id: str) -> Item:
    """The caller's item."""
    doc = await request.app[DB][ITEMS].find_one({"_id": item_id, "owner": principal(request).subject})
    if doc is None:
        raise NotFoundError("No such item")
    return _item(doc)


@items.put(
    "/v1/items/{item_id}",
    summary="Change one of my items",
    access=Access.customers(),
    body=ItemChange,
    response=Item,
    errors=[404],
    operation_id="changeMyItem",
    description="Renames or archives an item. Send the ETag you read as If-Match.",
    request_example=ItemChange(name="Desk lamp", state=ItemState.ACTIVE),
    response_example=EXAMPLE_ITEM.model_copy(update={"name": "Desk lamp", "version": 2}),
    etag="version",
    conditional=True,
)
async def change_item(request: web.Request, item_id: str, body: ItemChange, expected_version: int | None) -> Item:
    """Change the item if it is still at ``expected_version``: the version is part of the
    update's filter, so the check and the write are one atomic step."""
    mine = {"_id": item_id, "owner": principal(request).subject}
    where = mine if expected_version is None else {**mine, "version": expected_version}
    doc = await request.app[DB][ITEMS].find_one_and_update(
        where,
        {"$set": {"name": body.name, "state": body.state.value}, "$inc": {"version": 1}},
        return_document=True,
    )
    if doc is None:
        if await request.app[DB][ITEMS].count_documents(mine, limit=1):
            raise PreconditionFailedError("The item has changed since you read it; read it again")
        raise NotFoundError("No such item")
    return _item(doc)


class Colour(BaseModel):
    """A colour of the reference list."""

    code: str
    name: LocalizedText


COLOURS = [
    Colour(code="blue", name=LocalizedText(fi="sininen", sv="blå", en="blue")),
    Colour(code="yellow", name=LocalizedText(fi="keltainen", sv="gul", en="yellow")),
]


@reference.get(
    "/v1/colours",
    summary="The colours",
    access=Access.anyone(),
    response=list[Colour],
    operation_id="listColours",
    description="Reference data: every colour with its name in Finnish, Swedish and English.",
    response_example=COLOURS[:1],
    cache=Cache.public(3600),
    localized="all",
)
async def list_colours(_: web.Request) -> list[Colour]:
    """Every colour."""
    return COLOURS


class Greeting(BaseModel):
    """A text in the caller's language."""

    text: str


@reference.get(
    "/v1/greeting",
    summary="A greeting",
    access=Access.anyone(),
    response=Greeting,
    operation_id="getGreeting",
    description="A greeting in the language Accept-Language prefers.",
    response_example=Greeting(text="Hei"),
    localized="negotiated",
)
async def greeting(request: web.Request) -> Greeting:
    """Hello in the caller's language."""
    return Greeting(text=LocalizedText(fi="Hei", sv="Hej", en="Hello").in_(language_of(request)))


class SeenClient(BaseModel):
    """The end user as this service sees them."""

    address: str
    user_agent: str | None


@reference.get(
    "/v1/client",
    summary="Who is calling",
    access=Access.anyone(),
    response=SeenClient,
    operation_id="getClient",
    description="The end user's address and user agent, forwarded by a trusted proxy.",
    response_example=SeenClient(address="192.0.2.60", user_agent="Mozilla/5.0"),
)
async def seen_client(request: web.Request) -> SeenClient:
    """The forwarded end user."""
    client = client_of(request)
    return SeenClient(address=client.address, user_agent=client.user_agent)
