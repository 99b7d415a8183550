"""The service context: one transaction per use case, with the events of its aggregates."""

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
from pymongo import IndexModel

from plussa_shared.commands import command_context
from plussa_shared.context import ServiceContext, UnitOfWork
from plussa_shared.domain import Aggregate, DomainError, DuplicateError, ErrorKind
from plussa_shared.events import EventData
from plussa_shared.mongo import (
    Session,
    activated,
    create_client,
    ensure_collections,
    ensure_indexes,
    run_in_transaction,
)
from plussa_shared.outbox import Outbox
from plussa_shared.settings import ServiceSettings
from plussa_shared.tracing import Tracing

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class BookShelved(EventData):
    event_type: ClassVar[str] = "fi.plussa.shelves.book.shelved"
    book_id: str


class ShelfFullError(DomainError):
    kind = ErrorKind.CONFLICT
    slug = "shelf-full"


@dataclass
class Book(Aggregate):
    book_id: str

    def shelve(self) -> None:
        self.record(BookShelved(book_id=self.book_id), f"book/{self.book_id}")


class ShelfContext(ServiceContext[ServiceSettings]):
    async def add_book(self, uow: UnitOfWork, book: Book) -> None:
        """What a store does: write, and track the aggregate."""
        await self.db["books"].insert_one({"_id": book.book_id}, session=uow.session)
        uow.track(book)


@pytest.fixture
async def ctx(settings_for: Any) -> AsyncIterator[ShelfContext]:
    settings = settings_for(ServiceSettings, service_name="shelf")
    client = create_client(str(settings.mongo_url), app_name="shelf-test")
    db = client[settings.mongo_database]
    await ensure_collections(db, ["books", "outbox", "titles"])
    await ensure_indexes(db, {"titles": [IndexModel("title", unique=True)]})
    yield ShelfContext(settings=settings, client=client, db=db, outbox=Outbox(db), clock=lambda: AT)
    await client.close()


async def outbox_events(ctx: ShelfContext) -> list[dict[str, Any]]:
    docs = await ctx.db["outbox"].find().sort("order").to_list()
    return [json.loads(d["envelope"]) for d in docs]


async def test_a_tracked_aggregates_events_reach_the_outbox_with_the_change(ctx: ShelfContext) -> None:
    async def shelve(uow: UnitOfWork) -> str:
        book = Book("b1")
        await ctx.add_book(uow, book)
        book.shelve()  # recorded after it was tracked: still collected
        return book.book_id

    assert await ctx.run(shelve) == "b1"

    [event] = await outbox_events(ctx)
    assert (event["type"], event["subject"], event["data"]) == (
        BookShelved.event_type,
        "book/b1",
        {"book_id": "b1"},
    )
    assert (event["source"], event["time"]) == ("/plussa/shelf", "2026-03-01T12:00:00Z")
    assert await ctx.db["books"].count_documents({}) == 1


async def test_events_published_on_the_unit_of_work_and_by_aggregates_keep_their_order(ctx: ShelfContext) -> None:
    async def work(uow: UnitOfWork) -> None:
        first, second = Book("b1"), Book("b2")
        uow.track(first, second)
        second.shelve()
        uow.publish(BookShelved(book_id="between"), None)
        first.shelve()

    await ctx.run(work)

    assert [e["data"]["book_id"] for e in await outbox_events(ctx)] == ["b2", "between", "b1"]


async def test_an_event_published_with_a_trace_of_its_own_keeps_it_and_the_rest_take_the_current_one(
    ctx: ShelfContext,
) -> None:
    own = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}

    async def work(uow: UnitOfWork) -> None:
        book = Book("tracked")
        uow.track(book)
        book.shelve()
        uow.publish(BookShelved(book_id="own"), None, trace=own)
        uow.publish(BookShelved(book_id="current"), None)

    with Tracing.for_service(ctx.settings).tracer.start_as_current_span("work") as span:
        await ctx.run(work)

    ids = span.get_span_context()
    current = f"00-{ids.trace_id:032x}-{ids.span_id:016x}-{ids.trace_flags:02x}"
    docs = await ctx.db["outbox"].find().sort("order").to_list()
    traces = {json.loads(d["envelope"])["data"]["book_id"]: d["trace"] for d in docs}
    assert traces == {"tracked": {"traceparent": current}, "own": own, "current": {"traceparent": current}}


async def test_a_failing_use_case_stores_neither_its_change_nor_its_events(ctx: ShelfContext) -> None:
    async def work(uow: UnitOfWork) -> None:
        book = Book("b1")
        await ctx.add_book(uow, book)
        book.shelve()
        raise ShelfFullError()

    with pytest.raises(ShelfFullError):
        await ctx.run(work)

    assert await ctx.db["books"].count_documents({}) == 0
    assert await outbox_events(ctx) == []


async def test_steps_before_commit_run_once_per_key_after_the_work_in_its_transaction(ctx: ShelfContext) -> None:
    async def count_books(uow: UnitOfWork) -> None:  # a read model of the shelf, rebuilt once
        books = await ctx.db["books"].count_documents({}, session=uow.session)
        await ctx.db["titles"].update_one(
            {"_id": "shelf"}, {"$set": {"books": books}, "$inc": {"rebuilt": 1}}, upsert=True, session=uow.session
        )

    async def shelve(uow: UnitOfWork) -> None:
        for book_id in ("b1", "b2"):
            await ctx.add_book(uow, Book(book_id))
            uow.before_commit("shelf", lambda: count_books(uow))

    async def fail(uow: UnitOfWork) -> None:
        await ctx.add_book(uow, Book("b3"))
        uow.before_commit("failing", lambda: ctx.db["titles"].insert_one({"_id": "shelf"}, session=uow.session))

    await ctx.run(shelve)
    assert await ctx.db["titles"].find_one({"_id": "shelf"}) == {"_id": "shelf", "books": 2, "rebuilt": 1}
    with pytest.raises(DuplicateError):  # the step's own failure undoes the work's writes
        await ctx.run(fail)
    assert await ctx.db["books"].find_one({"_id": "b3"}) is None


async def test_a_unique_index_clash_runs_the_work_once_more_and_a_second_clash_is_a_duplicate_conflict(
    ctx: ShelfContext,
) -> None:
    await ctx.db["titles"].insert_one({"_id": "t0", "title": "Seitsemän veljestä"})
    attempts: list[int] = []

    async def add_title(uow: UnitOfWork) -> None:
        attempts.append(1)
        title = {"_id": f"t{len(attempts)}", "title": "Seitsemän veljestä"}
        await ctx.db["titles"].insert_one(title, session=uow.session)

    with pytest.raises(DuplicateError) as raised:
        await ctx.run(add_title)

    assert len(attempts) == 2
    assert raised.value.kind is ErrorKind.CONFLICT
    assert await ctx.db["titles"].count_documents({}) == 1


async def test_a_race_lost_once_finds_the_winners_write_on_the_second_run(ctx: ShelfContext) -> None:
    attempts: list[int] = []

    async def create_once(uow: UnitOfWork) -> str:
        attempts.append(1)
        if await ctx.db["titles"].find_one({"_id": "t1"}, session=uow.session):
            return "found"
        if len(attempts) == 1:  # another request commits the same new id meanwhile
            await ctx.db["titles"].insert_one({"_id": "t1", "title": "Kalevala"})
        await ctx.db["titles"].insert_one({"_id": "t1", "title": "Kalevala"}, session=uow.session)
        return "created"

    assert await ctx.run(create_once) == "found"
    assert len(attempts) == 2


async def test_a_use_case_inside_an_active_transaction_joins_it_instead_of_committing_alone(
    ctx: ShelfContext,
) -> None:
    async def shelve(uow: UnitOfWork) -> None:
        book = Book("b1")
        await ctx.add_book(uow, book)
        book.shelve()

    async def caller(session: Session) -> None:
        with activated(session):
            await ctx.run(shelve)
        assert await ctx.db["books"].count_documents({}) == 0  # not committed on its own
        raise ShelfFullError()

    with pytest.raises(ShelfFullError):
        await run_in_transaction(ctx.client, caller)

    assert await ctx.db["books"].count_documents({}) == 0
    assert await outbox_events(ctx) == []


async def test_a_joined_use_case_commits_with_the_transaction_it_joined(ctx: ShelfContext) -> None:
    async def shelve(uow: UnitOfWork) -> None:
        book = Book("b1")
        await ctx.add_book(uow, book)
        book.shelve()

    async def caller(session: Session) -> None:
        with activated(session):
            await ctx.run(shelve)
        await ctx.db["titles"].insert_one({"_id": "t1", "title": "Kalevala"}, session=session)

    await run_in_transaction(ctx.client, caller)

    assert await ctx.db["books"].count_documents({}) == 1
    assert await ctx.db["titles"].count_documents({}) == 1
    assert [e["subject"] for e in await outbox_events(ctx)] == ["book/b1"]


async def test_a_command_gets_the_same_context_over_a_prepared_database(settings_for: Any) -> None:
    settings = settings_for(ServiceSettings, service_name="shelf")

    def build(client: Any, db: Any, outbox: Outbox) -> ShelfContext:
        return ShelfContext(settings=settings, client=client, db=db, outbox=outbox, clock=lambda: AT)

    async with command_context(settings, build, {"titles": [IndexModel("title", unique=True)]}) as ctx:

        async def shelve(uow: UnitOfWork) -> None:
            book = Book("b1")
            await ctx.add_book(uow, book)
            book.shelve()

        await ctx.run(shelve)
        names = set(await ctx.db.list_collection_names())
        indexes = await ctx.db["titles"].index_information()
        assert [e["subject"] for e in await outbox_events(ctx)] == ["book/b1"]

    assert {"outbox", "inbox", "outbox_lease", "titles"} <= names
    assert any(info.get("unique") for info in indexes.values())
