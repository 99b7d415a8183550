"""The privacy participant helper: a service's export and erasure answers, as the contract says."""

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

import pytest
from aiohttp import web

from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.context import ServiceContext, UnitOfWork
from plussa_shared.domain import DomainError
from plussa_shared.events import EventData
from plussa_shared.keys import DB, MONGO, OUTBOX, SETTINGS
from plussa_shared.mongo import Session, create_client, ensure_collections, run_in_transaction
from plussa_shared.privacy import (
    ERASURE_REQUESTED,
    EXPORT_REQUESTED,
    ErasedHolders,
    PrivacyParticipant,
    closed_for_erasure,
    household_subject,
    privacy_subscriptions,
    pseudonym,
    replace_ids,
)
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.bus import bus_probe, drain, envelope, publish
from plussa_shared.testing.privacy import documents_naming

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class ExportCompleted(EventData):
    """The library's part of a person's data export."""

    event_type: ClassVar[str] = "fi.plussa.library.export.completed"
    request_id: str
    person_id: str
    service: Literal["library"] = "library"
    data: dict[str, Any]


class ErasureCompleted(EventData):
    """The library forgot a person."""

    event_type: ClassVar[str] = "fi.plussa.library.erasure.completed"
    request_id: str
    person_id: str
    service: Literal["library"] = "library"
    occurred_at: datetime


class LoansOverdueError(DomainError):
    slug = "loans-overdue"


@dataclass
class LibraryContext(ServiceContext[ServiceSettings]):
    refuse_erasure: bool = False


async def export(ctx: LibraryContext, person_id: str) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        loans = await ctx.db["loans"].find({"person_id": person_id}, session=uow.session).to_list()
        return {"loans": [loan["_id"] for loan in loans]}

    return await ctx.run(work)


async def erase(ctx: LibraryContext, person_id: str) -> None:
    async def work(uow: UnitOfWork) -> None:
        await ctx.db["loans"].delete_many({"person_id": person_id}, session=uow.session)
        if ctx.refuse_erasure:
            raise LoansOverdueError("Return the books first")

    await ctx.run(work)


def library(*, refuse_erasure: bool = False, subject: Any = None) -> ServiceSpec:
    participant = PrivacyParticipant[LibraryContext](export, erase, ExportCompleted, ErasureCompleted)
    if subject is not None:
        participant = replace(participant, subject=subject)

    def build(app: web.Application) -> LibraryContext:
        return LibraryContext(
            app[SETTINGS], app[MONGO], app[DB], app[OUTBOX], clock=lambda: AT, refuse_erasure=refuse_erasure
        )

    return ServiceSpec(
        title="library",
        context=build,
        subscriptions=lambda ctx: privacy_subscriptions(ctx, participant),
        indexes={"loans": []},
    )


@pytest.fixture
def start_library(aiohttp_client: Any, settings_for: Any) -> Any:
    async def start(**options: Any) -> Any:
        settings = settings_for(ServiceSettings, service_name="library")
        client = await aiohttp_client(create_service_app(settings, library(**options)))
        assert (await client.get("/health/ready")).status == 200
        await client.app[DB]["loans"].insert_many(
            [{"_id": "l1", "person_id": "p1"}, {"_id": "l2", "person_id": "p1"}, {"_id": "l3", "person_id": "p2"}]
        )
        return client

    return start


def request(event_type: str) -> dict[str, Any]:
    data = {"request_id": "r1", "person_id": "p1", "household_id": "h1", "occurred_at": AT.isoformat()}
    return envelope(event_type, data, source="/plussa/identity")


async def test_an_export_request_is_answered_with_what_the_service_holds_about_the_person(
    start_library: Any, amqp_url: str
) -> None:
    client = await start_library()
    exchange = client.app[SETTINGS].amqp_exchange

    async with bus_probe(amqp_url, exchange, "library.#") as probe:
        await publish(amqp_url, exchange, request(EXPORT_REQUESTED))
        [answer] = await probe.wait_for(ExportCompleted.event_type)

    loans = {"loans": ["l1", "l2"]}
    assert answer["data"] == {"request_id": "r1", "person_id": "p1", "service": "library", "data": loans}
    assert (answer["source"], answer["subject"]) == ("/plussa/library", "person/p1")


async def test_an_erasure_request_erases_and_is_answered_in_one_transaction(start_library: Any, amqp_url: str) -> None:
    client = await start_library()
    exchange = client.app[SETTINGS].amqp_exchange

    async with bus_probe(amqp_url, exchange, "library.#") as probe:
        await publish(amqp_url, exchange, request(ERASURE_REQUESTED))
        [answer] = await probe.wait_for(ErasureCompleted.event_type)

    assert answer["data"] == {
        "request_id": "r1",
        "person_id": "p1",
        "service": "library",
        "occurred_at": "2026-03-01T12:00:00Z",
    }
    assert [loan["_id"] async for loan in client.app[DB]["loans"].find()] == ["l3"]


async def test_answers_may_be_about_the_household_instead_of_the_person(start_library: Any, amqp_url: str) -> None:
    client = await start_library(subject=household_subject)
    exchange = client.app[SETTINGS].amqp_exchange

    async with bus_probe(amqp_url, exchange, "library.#") as probe:
        await publish(amqp_url, exchange, request(EXPORT_REQUESTED))
        [answer] = await probe.wait_for(ExportCompleted.event_type)

    assert answer["subject"] == "household/h1"


async def test_a_refused_erasure_is_dead_lettered_unanswered_and_erases_nothing(
    start_library: Any, amqp_url: str
) -> None:
    client = await start_library(refuse_erasure=True)
    settings = client.app[SETTINGS]

    await publish(amqp_url, settings.amqp_exchange, request(ERASURE_REQUESTED))

    [dead] = await drain(amqp_url, f"{settings.event_queue}.dead")
    assert (dead.headers or {})["x-plussa-dead-reason"] == "loans-overdue"
    assert await client.app[DB]["loans"].count_documents({"person_id": "p1"}) == 2
    assert await client.app[DB]["outbox"].count_documents({}) == 0


async def test_replacing_ids_rewrites_every_record_that_names_them_and_leaves_the_others(settings_for: Any) -> None:
    settings = settings_for(ServiceSettings, service_name="ledgers")
    client = create_client(str(settings.mongo_url), app_name="test")
    db = client[settings.mongo_database]
    await ensure_collections(db, ["months", "entries"])
    await db["months"].insert_many(
        [
            {"_id": "h1:2026-03", "household_id": "h1", "persons": {"p1": {"points": 5}}},
            {"_id": "h2:2026-03", "household_id": "h2", "persons": {"p2": {"points": 7}}},
        ]
    )
    await db["entries"].insert_many(
        [
            {"_id": "e1", "person_id": "p1", "lines": [{"note": "card c1 of p1"}], "points": 5},
            {"_id": "e2", "person_id": "p2", "lines": [], "points": 7},
        ]
    )
    ids = {"h1": pseudonym(), "p1": pseudonym(), "c1": pseudonym()}

    async def work(session: Session) -> int:
        fields = {"months": ["_id", "household_id"], "entries": ["person_id"]}
        return await replace_ids(db, session, ids, fields)

    assert await run_in_transaction(client, work) == 2
    months = await db["months"].find().sort("household_id").to_list()
    entries = await db["entries"].find().sort("points").to_list()
    await client.close()

    h1, p1, c1 = ids["h1"], ids["p1"], ids["c1"]
    assert all(new.startswith("erased-") for new in ids.values())
    assert len(set(ids.values())) == 3
    assert sorted(m["_id"] for m in months) == sorted([f"{h1}:2026-03", "h2:2026-03"])
    assert {m["household_id"]: m["persons"] for m in months} == {h1: {p1: {"points": 5}}, "h2": {"p2": {"points": 7}}}
    assert entries == [
        {"_id": "e1", "person_id": p1, "lines": [{"note": f"card {c1} of {p1}"}], "points": 5},
        {"_id": "e2", "person_id": "p2", "lines": [], "points": 7},
    ]


def test_a_card_closed_because_its_holder_was_erased_is_told_apart() -> None:
    assert closed_for_erasure("closed", "erased")
    assert not closed_for_erasure("closed", "lost")
    assert not closed_for_erasure("blocked", "erased")
    assert not closed_for_erasure("closed", None)


async def test_a_replacement_that_holds_another_ids_text_is_not_rewritten_again(settings_for: Any) -> None:
    settings = settings_for(ServiceSettings, service_name="ledgers")
    client = create_client(str(settings.mongo_url), app_name="test")
    db = client[settings.mongo_database]
    await ensure_collections(db, ["entries"])
    await db["entries"].insert_one({"_id": "e1", "person_id": "p1", "note": "card c1 of p1"})
    ids = {"p1": "erased-0c1", "c1": "erased-c2"}  # p1's replacement contains the text "c1"

    async def work(session: Session) -> int:
        return await replace_ids(db, session, ids, {"entries": ["person_id"]})

    assert await run_in_transaction(client, work) == 1
    entry = await db["entries"].find_one({"_id": "e1"})
    await client.close()
    assert entry == {"_id": "e1", "person_id": "erased-0c1", "note": "card erased-c2 of erased-0c1"}


async def test_an_erased_persons_cards_are_refused_by_digest_and_never_taken_for_people(settings_for: Any) -> None:
    settings = settings_for(ServiceSettings, service_name="cardholders")
    client = create_client(str(settings.mongo_url), app_name="test")
    db = client[settings.mongo_database]
    holders = ErasedHolders(db)

    async def erase(session: Session) -> None:
        await holders.record("person-aino", session, card_ids=["kortti-aino"])

    await run_in_transaction(client, erase)
    refused = {
        "her card, naming nobody": await holders.refuses("kortti-aino", None, None),
        "her card, naming another": await holders.refuses("kortti-aino", "person-eero", None),
        "another card, naming her": await holders.refuses("kortti-eero", "person-aino", None),
        "another card, naming nobody": await holders.refuses("kortti-eero", None, None),
        "a card whose id is her id": await holders.refuses("person-aino", None, None),
        "a person whose id is her card's": await holders.refuses("kortti-eero", "kortti-aino", None),
    }
    left = await documents_naming(db, ("person-aino", "kortti-aino"))
    await client.close()
    assert refused == {
        "her card, naming nobody": True,
        "her card, naming another": True,
        "another card, naming her": True,
        "another card, naming nobody": False,
        "a card whose id is her id": False,
        "a person whose id is her card's": False,
    }
    assert left == []
