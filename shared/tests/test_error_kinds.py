"""Error kinds mapped once at each edge: HTTP status in the problem middleware, retry or
dead-letter in the consumer; and the consumer's transaction shared by the use case."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

import pytest
from aiohttp import web
from pymongo import IndexModel

from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.auth import Access
from plussa_shared.context import ServiceContext, UnitOfWork
from plussa_shared.domain import Aggregate, DomainError, ErrorKind
from plussa_shared.errors import PROBLEM_BASE, PROBLEM_CONTENT_TYPE
from plussa_shared.events import CloudEvent, ConsumedEventData, EventData, routing_key_for
from plussa_shared.keys import CONTEXT, DB, MONGO, OUTBOX, SETTINGS, context_of
from plussa_shared.routing import RouteTable
from plussa_shared.settings import ServiceSettings
from plussa_shared.settling import RETRY_HEADER
from plussa_shared.subscription import Subscription
from plussa_shared.testing.bus import drain, envelope, publish
from plussa_shared.testing.sample import wait_until

BOOK_ARRIVED = "fi.plussa.library.book.arrived"


class BookArrived(ConsumedEventData):
    book_id: str
    title: str = "Kalevala"


class BookShelved(EventData):
    event_type: ClassVar[str] = "fi.plussa.shelves.book.shelved"
    book_id: str


@dataclass
class Book(Aggregate):
    book_id: str
    title: str

    def shelve(self) -> None:
        self.record(BookShelved(book_id=self.book_id), f"book/{self.book_id}")


Rule = Callable[[str], None]


@dataclass
class ShelfContext(ServiceContext[ServiceSettings]):
    rule: Rule = lambda _: None
    """A rule the use case checks once the book is stored (tests make it fail)."""
    then: Rule = lambda _: None
    """What the subscription does after the use case returned (tests make it fail)."""


async def shelve_book(ctx: ShelfContext, book_id: str, title: str) -> None:
    """The use case: store a book, its event with it, then check the rule."""

    async def work(uow: UnitOfWork) -> None:
        book = Book(book_id, title)
        await ctx.db["books"].insert_one({"_id": book_id, "title": title}, session=uow.session)
        uow.track(book)
        book.shelve()
        ctx.rule(book_id)

    await ctx.run(work)


async def on_book_arrived(ctx: ShelfContext, event: CloudEvent[BookArrived]) -> None:
    await shelve_book(ctx, event.data.book_id, event.data.title)
    ctx.then(event.data.book_id)


def subscriptions(ctx: ShelfContext) -> list[Subscription[Any]]:
    return [Subscription(BOOK_ARRIVED, BookArrived, partial(on_book_arrived, ctx))]


def shelf_spec(rule: Rule, then: Rule) -> ServiceSpec:
    def build(app: web.Application) -> ShelfContext:
        return ShelfContext(app[SETTINGS], app[MONGO], app[DB], app[OUTBOX], rule=rule, then=then)

    return ServiceSpec(
        title="shelf",
        routes=[errors_routes],
        context=build,
        subscriptions=subscriptions,
        indexes={"books": [IndexModel("title", unique=True)]},
    )


def error_of(kind: ErrorKind) -> type[DomainError]:
    return type(f"Sample{kind.name}Error", (DomainError,), {"kind": kind, "slug": f"sample-{kind.value}"})


errors_routes = RouteTable(tag="errors")


@errors_routes.post("/v1/errors/{kind}", summary="Break a rule of the given kind", access=Access.anyone())
async def break_rule(request: web.Request, kind: str) -> None:
    ctx = context_of(request.app, ShelfContext)

    async def work(_: UnitOfWork) -> None:
        raise error_of(ErrorKind(kind))("The rule was broken", retry_after=7, shelf_id="s1")

    await ctx.run(work)


@pytest.fixture
def start_shelf(aiohttp_client: Any, settings_for: Any) -> Callable[..., Awaitable[Any]]:
    async def start(rule: Rule = lambda _: None, then: Rule = lambda _: None, **overrides: Any) -> Any:
        settings = settings_for(ServiceSettings, service_name="shelf", **overrides)
        client = await aiohttp_client(create_service_app(settings, shelf_spec(rule, then)))
        assert (await client.get("/health/ready")).status == 200
        return client

    return start


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (ErrorKind.NOT_FOUND, 404),
        (ErrorKind.CONFLICT, 409),
        (ErrorKind.INVALID, 422),
        (ErrorKind.FORBIDDEN, 403),
        (ErrorKind.NOT_KNOWN_YET, 409),
        (ErrorKind.UNAUTHENTICATED, 401),
        (ErrorKind.THROTTLED, 429),
        (ErrorKind.STALE, 412),
        (ErrorKind.UNAVAILABLE, 503),
    ],
)
async def test_a_domain_error_reaches_a_client_as_the_problem_its_kind_names(
    start_shelf: Any, kind: ErrorKind, status: int
) -> None:
    client = await start_shelf()

    response = await client.post(f"/v1/errors/{kind.value}")

    assert response.status == status
    assert response.content_type == PROBLEM_CONTENT_TYPE
    body = await response.json()
    assert body == {
        "type": f"{PROBLEM_BASE}sample-{kind.value}",
        "title": DomainError.title,
        "status": status,
        "detail": "The rule was broken",
        "instance": f"/v1/errors/{kind.value}",
        "retry_after": 7,
        "shelf_id": "s1",
    }
    assert response.headers["Retry-After"] == "7"
    assert ("WWW-Authenticate" in response.headers) is (status == 401)


async def arrive(client: Any, amqp_url: str, event_id: str | None = None) -> None:
    """Another service announces book b1."""
    event = envelope(BOOK_ARRIVED, {"book_id": "b1"}, event_id=event_id)
    await publish(amqp_url, client.app[SETTINGS].amqp_exchange, event)


def dead_queue(client: Any) -> str:
    settings = client.app[SETTINGS]
    return f"{settings.event_queue}.dead"


async def test_a_not_known_yet_event_is_retried_then_dead_lettered_with_its_slug(
    start_shelf: Any, amqp_url: str
) -> None:
    attempts: list[str] = []

    def not_yet(book_id: str) -> None:
        attempts.append(book_id)
        raise error_of(ErrorKind.NOT_KNOWN_YET)("The shelf has not arrived yet")

    client = await start_shelf(not_yet, consumer_retry_delays_ms=[50, 100])
    await arrive(client, amqp_url)

    [dead] = await drain(amqp_url, dead_queue(client), timeout=10)
    headers = dead.headers or {}
    assert attempts == ["b1"] * 3  # the first try and one per delay
    assert headers["x-plussa-dead-reason"] == "sample-not-known-yet"
    assert headers["x-plussa-dead-detail"] == "sample-not-known-yet: The shelf has not arrived yet"
    assert headers[RETRY_HEADER] == 2
    assert await client.app[DB]["books"].count_documents({}) == 0


async def test_an_invalid_event_is_dead_lettered_at_once_with_its_slug_as_the_reason(
    start_shelf: Any, amqp_url: str
) -> None:
    attempts: list[str] = []

    def invalid(book_id: str) -> None:
        attempts.append(book_id)
        raise error_of(ErrorKind.INVALID)("A book needs a title")

    client = await start_shelf(invalid)
    await arrive(client, amqp_url)

    [dead] = await drain(amqp_url, dead_queue(client))
    assert attempts == ["b1"]
    assert (dead.headers or {})["x-plussa-dead-reason"] == "sample-invalid"
    assert RETRY_HEADER not in (dead.headers or {})
    metrics = await (await client.get("/metrics")).text()
    assert 'events_dead_lettered_total{reason="sample-invalid"} 1.0' in metrics


async def test_a_unique_index_clash_in_a_handler_is_not_taken_for_an_event_already_handled(
    start_shelf: Any, amqp_url: str
) -> None:
    client = await start_shelf()
    db = client.app[DB]
    await db["books"].insert_one({"_id": "other", "title": "Kalevala"})

    await arrive(client, amqp_url, event_id="e1")

    [dead] = await drain(amqp_url, dead_queue(client))
    assert (dead.headers or {})["x-plussa-dead-reason"] == "duplicate"
    assert await db["inbox"].find_one({"_id": "e1"}) is None
    metrics = await (await client.get("/metrics")).text()
    assert 'outcome="duplicate"' not in metrics


async def test_a_use_case_called_from_a_subscription_commits_with_the_inbox_record(
    start_shelf: Any, amqp_url: str
) -> None:
    client = await start_shelf()
    db = client.app[DB]

    await arrive(client, amqp_url, event_id="e1")

    await wait_until(lambda: _has(db, "inbox", "e1"), what="event handled")
    assert await db["books"].find_one({"_id": "b1"}) == {"_id": "b1", "title": "Kalevala"}
    [shelved] = await db["outbox"].find({"type": BookShelved.event_type}).to_list()
    # Once relayed, the record keeps only what was published and when (no subject): its
    # type and routing key say it is the use case's event, written with the inbox record.
    assert shelved["routing_key"] == routing_key_for(BookShelved.event_type)
    assert isinstance(client.app[CONTEXT], ShelfContext)


async def test_a_use_case_called_from_a_subscription_rolls_back_with_the_inbox_record(
    start_shelf: Any, amqp_url: str
) -> None:
    """The use case's own ``ctx.run`` joined the consumer's transaction: had it committed
    alone, the book would be stored although the event was dead-lettered."""

    def fails_after_the_use_case(book_id: str) -> None:
        raise error_of(ErrorKind.CONFLICT)(f"{book_id} is already lent out")

    client = await start_shelf(then=fails_after_the_use_case)
    db = client.app[DB]

    await arrive(client, amqp_url, event_id="e1")

    [dead] = await drain(amqp_url, dead_queue(client))
    assert (dead.headers or {})["x-plussa-dead-reason"] == "sample-conflict"
    assert await db["books"].count_documents({}) == 0
    assert await db["inbox"].count_documents({}) == 0
    assert await db["outbox"].count_documents({}) == 0


async def _has(db: Any, collection: str, doc_id: str) -> bool:
    return await db[collection].find_one({"_id": doc_id}) is not None
