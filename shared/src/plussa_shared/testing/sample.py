"""Small sample services for exercising the plumbing end to end: a writer that stores notes
and publishes ``note.written`` through the outbox, a reader that counts, in its
own database, how many times it applied each note, and a tagger whose use case answers
each note with a ``note.tagged`` event (as points answers a purchase with its own)."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from functools import partial
from typing import Any, ClassVar

import structlog
from aiohttp import web
from pydantic import BaseModel, Field

from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.auth import Access
from plussa_shared.context import ServiceContext
from plussa_shared.context import UnitOfWork as ContextUnitOfWork
from plussa_shared.events import CloudEvent, ConsumedEventData, EventData, new_event
from plussa_shared.keys import DB, MONGO, OUTBOX, SETTINGS
from plussa_shared.mongo import Session
from plussa_shared.routing import RouteTable
from plussa_shared.settings import ServiceSettings
from plussa_shared.subscription import Subscription
from plussa_shared.unit_of_work import UnitOfWork

NOTE_WRITTEN = "fi.plussa.notes.note.written"
NOTE_TAGGED = "fi.plussa.notes.note.tagged"

log = structlog.get_logger(__name__)


class NoteWritten(EventData):
    """The writer stored a note."""

    event_type: ClassVar[str] = NOTE_WRITTEN
    note_id: str
    text: str


class NoteIn(BaseModel):
    """A note to write."""

    note_id: str = Field(min_length=1, max_length=40)
    text: str = Field(max_length=2000)
    stars: int = 0


class NoteOut(BaseModel):
    """The written note's id."""

    note_id: str


notes = RouteTable(tag="notes")


@notes.post(
    "/v1/notes",
    summary="Write a note",
    access=Access.customers("notes:write"),
    body=NoteIn,
    response=NoteOut,
    status=201,
)
async def write_note(request: web.Request, body: NoteIn) -> NoteOut:
    """Store the note and its event in one transaction."""
    app = request.app
    event = new_event(
        NoteWritten(note_id=body.note_id, text=body.text),
        source=app[SETTINGS].event_source,
        subject=f"note/{body.note_id}",
    )

    async def work(session: Session) -> None:
        await app[DB]["notes"].insert_one({"_id": body.note_id, "text": body.text}, session=session)
        await app[OUTBOX].add(session, [event])

    await UnitOfWork(app[MONGO], app[OUTBOX]).run(work)
    return NoteOut(note_id=body.note_id)


class NoteWrittenCopy(ConsumedEventData):
    """The reader's own copy of ``note.written``."""

    note_id: str


Behaviour = Callable[[CloudEvent[NoteWrittenCopy]], Awaitable[None]]


async def apply_normally(_: CloudEvent[NoteWrittenCopy]) -> None:
    """Add nothing to the reader's effect."""
    return None


def reader_spec(db_holder: dict[str, Any], behaviour: Behaviour = apply_normally) -> ServiceSpec:
    """A reader whose effect is a counter per note in its own ``effects`` collection;
    ``behaviour`` runs after the effect, inside the same transaction (it may raise)."""

    async def on_note(event: CloudEvent[NoteWrittenCopy], session: Session) -> None:
        db = db_holder["db"]
        await db["effects"].update_one(
            {"_id": event.data.note_id}, {"$inc": {"applied": 1}}, upsert=True, session=session
        )
        await db["arrivals"].update_one(
            {"_id": event.subject or ""}, {"$push": {"note_ids": event.data.note_id}}, upsert=True, session=session
        )
        await behaviour(event)

    async def hold_db(app: web.Application) -> AsyncIterator[None]:
        db_holder["db"] = app[DB]
        yield

    return ServiceSpec(
        title="reader",
        subscriptions=[Subscription(NOTE_WRITTEN, NoteWrittenCopy, on_note)],
        contexts=[hold_db],
    )


WRITER = ServiceSpec(title="writer", routes=[notes])


class NoteTagged(EventData):
    """The tagger answered a note."""

    event_type: ClassVar[str] = NOTE_TAGGED
    note_id: str


async def tag_note(ctx: ServiceContext[Any], note_id: str) -> None:
    """The tagger's use case: publish ``note.tagged`` in one transaction through the context
    (inside a handler it joins the consumer's)."""

    async def work(uow: ContextUnitOfWork) -> None:
        log.info("note_tagged", note_id=note_id)
        uow.publish(NoteTagged(note_id=note_id), f"note/{note_id}")

    await ctx.run(work)


async def _on_note_written(ctx: ServiceContext[Any], event: CloudEvent[NoteWrittenCopy]) -> None:
    await tag_note(ctx, event.data.note_id)


def tagger_subscriptions(ctx: ServiceContext[Any]) -> Sequence[Subscription[Any]]:
    """The tagger's table: each note written is tagged."""
    return [Subscription(NOTE_WRITTEN, NoteWrittenCopy, partial(_on_note_written, ctx))]


TAGGER = ServiceSpec(
    title="tagger",
    context=lambda app: ServiceContext(app[SETTINGS], app[MONGO], app[DB], app[OUTBOX]),
    subscriptions=tagger_subscriptions,
)


async def effects(db: Any) -> dict[str, int]:
    """How many times the reader applied each note."""
    return {doc["_id"]: doc["applied"] async for doc in db["effects"].find()}


async def arrivals(db: Any, subject: str) -> list[str]:
    """The notes about ``subject`` in the order the reader applied them."""
    doc = await db["arrivals"].find_one({"_id": subject})
    return list(doc["note_ids"]) if doc else []


async def wait_until(check: Callable[[], Awaitable[bool]], *, timeout: float = 10.0, what: str = "condition") -> None:
    """Poll ``check`` until it holds; fail after ``timeout`` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} did not hold within {timeout}s")
        await asyncio.sleep(0.05)


def build(settings: ServiceSettings, spec: ServiceSpec) -> web.Application:
    """The sample app (a seam so tests read as sentences)."""
    return create_service_app(settings, spec)
