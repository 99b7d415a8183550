from typing import Any, ClassVar

from aiohttp import web
from pydantic import BaseModel

from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.auth import Access
from plussa_shared.events import CloudEvent, ConsumedEventData, EventData, new_event
from plussa_shared.keys import DB, MONGO, OUTBOX, SETTINGS
from plussa_shared.mongo import Session
from plussa_shared.routing import RouteTable
from plussa_shared.settings import ServiceSettings
from plussa_shared.subscription import Subscription
from plussa_shared.unit_of_work import UnitOfWork


class NoteWritten(EventData):
    event_type: ClassVar[str] = "fi.plussa.notes.note.written"
    note_id: str
    text: str


class NoteIn(BaseModel):
    text: str


class NoteOut(BaseModel):
    note_id: str


routes = RouteTable(tag="notes")


@routes.post("/v1/notes", summary="Write a note", access=Access.customers(), body=NoteIn, response=NoteOut, status=201)
async def write_note(request: web.Request, body: NoteIn) -> NoteOut:
    app = request.app
    note_id = "n1"
    event = new_event(NoteWritten(note_id=note_id, text=body.text), source=app[SETTINGS].event_source)

    async def work(session: Session) -> None:
        await app[DB]["notes"].insert_one({"_id": note_id, "text": body.text}, session=session)
        await app[OUTBOX].add(session, [event])

    await UnitOfWork(app[MONGO], app[OUTBOX]).run(work)
    return NoteOut(note_id=note_id)


class NoteWrittenCopy(ConsumedEventData):
    note_id: str


def make_reader(sink: list[str]) -> ServiceSpec:
    async def on_note(event: CloudEvent[NoteWrittenCopy], session: Session) -> None:
        sink.append(event.data.note_id)

    return ServiceSpec(
        title="reader", subscriptions=[Subscription("fi.plussa.notes.note.written", NoteWrittenCopy, on_note)]
    )


async def test_a_note_written_over_http_reaches_another_service_once(
    aiohttp_client: Any, settings_for: Any, tokens: Any
) -> None:
    import asyncio

    writer = await aiohttp_client(
        create_service_app(
            settings_for(ServiceSettings, service_name="writer"), ServiceSpec(title="w", routes=[routes])
        )
    )
    seen: list[str] = []
    await aiohttp_client(create_service_app(settings_for(ServiceSettings, service_name="reader"), make_reader(seen)))
    resp = await writer.post("/v1/notes", json={"text": "hi"}, headers=tokens.bearer(tokens.customer("p1", "h1")))
    assert resp.status == 201, await resp.text()
    for _ in range(100):
        if seen:
            break
        await asyncio.sleep(0.05)
    assert seen == ["n1"]
    ready = await writer.get("/health/ready")
    assert ready.status == 200
