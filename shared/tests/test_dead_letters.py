"""The dead-letter tool reads and writes the broker: it lists and shows a service's dead
letters, replays one, a filter or all of them to the service's queue (a message already
handled changes nothing; one whose cause is not fixed comes back with a fresh reason),
and purges them after a confirmation. Real RabbitMQ and a real consumer (the sample reader)."""

import asyncio
import io
from typing import Any, ClassVar

import pytest

from plussa_shared.app import create_service_app
from plussa_shared.dead_letters import DeadLetter, dead_letter_queue
from plussa_shared.dead_letters.__main__ import main
from plussa_shared.domain import DomainError, ErrorKind
from plussa_shared.events import CloudEvent
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.bus import envelope, publish
from plussa_shared.testing.sample import NOTE_WRITTEN, NoteWrittenCopy, effects, reader_spec, wait_until

OTHER_TYPE = "fi.plussa.notes.note.erased"


class ShelfMissingError(DomainError):
    kind: ClassVar[ErrorKind] = ErrorKind.NOT_KNOWN_YET
    slug: ClassVar[str] = "shelf-missing"


class NoteBannedError(DomainError):
    kind: ClassVar[ErrorKind] = ErrorKind.INVALID
    slug: ClassVar[str] = "note-banned"


class Reader:
    """The sample reader whose rule refuses some notes until the test fixes the cause."""

    def __init__(self, client: Any, settings: ServiceSettings, holder: dict[str, Any]) -> None:
        self.client = client
        self.settings = settings
        self.holder = holder

    async def effects(self) -> dict[str, int]:
        return await effects(self.holder["db"])

    async def write(self, note_id: str, *, event_id: str | None = None) -> str:
        event = envelope(NOTE_WRITTEN, {"note_id": note_id, "text": "x"}, subject=f"note/{note_id}", event_id=event_id)
        await publish(self.settings.amqp_url.get_secret_value(), self.settings.amqp_exchange, event)
        return str(event["id"])

    async def letters(self) -> list[DeadLetter]:
        async with dead_letter_queue(self.settings) as queue:
            return await queue.letters()

    async def wait_for_letters(self, count: int) -> list[DeadLetter]:
        async def enough() -> bool:
            return len(await self.letters()) >= count

        await wait_until(enough, timeout=15, what=f"{count} dead letters")
        return await self.letters()


@pytest.fixture
async def reader(aiohttp_client: Any, settings_for: Any) -> Reader:
    unknown = {"late", "again"}
    banned = {"bad"}

    async def rule(event: CloudEvent[NoteWrittenCopy]) -> None:
        note_id = event.data.note_id
        if note_id in banned:
            raise NoteBannedError(f"note {note_id} is banned")
        if note_id in unknown:
            raise ShelfMissingError(f"no shelf for {note_id} yet")

    settings = settings_for(ServiceSettings, service_name="reader", consumer_retry_delays_ms=[50, 100])
    holder: dict[str, Any] = {"unknown": unknown}
    client = await aiohttp_client(create_service_app(settings, reader_spec(holder, rule)))
    await wait_until(lambda: _ready(client), what="reader ready")
    return Reader(client, settings, holder)


async def _ready(client: Any) -> bool:
    return (await client.get("/health/ready")).status == 200


def run_tool(
    monkeypatch: pytest.MonkeyPatch, settings: ServiceSettings, *argv: str, answer: str = ""
) -> tuple[int, str]:
    """Run the command line as ops would, with the service's environment."""
    monkeypatch.setenv("PLUSSA_READER_AMQP_URL", settings.amqp_url.get_secret_value())
    monkeypatch.setenv("PLUSSA_READER_AMQP_QUEUE_PREFIX", settings.amqp_queue_prefix)
    out = io.StringIO()
    code = main(["--service", "reader", *argv], out=out, ask=lambda _: answer)
    return code, out.getvalue()


async def tool(monkeypatch: pytest.MonkeyPatch, reader: Reader, *argv: str, answer: str = "") -> tuple[int, str]:
    return await asyncio.to_thread(run_tool, monkeypatch, reader.settings, *argv, answer=answer)


async def test_list_shows_each_dead_letter_with_reason_type_subject_and_age_and_leaves_the_queue_as_it_was(
    reader: Reader, monkeypatch: pytest.MonkeyPatch
) -> None:
    await reader.write("bad")
    await reader.write("late")
    letters = await reader.wait_for_letters(2)

    code, out = await tool(monkeypatch, reader, "list")

    assert code == 0, out
    header, *rows, summary = out.strip().splitlines()
    assert header.split() == ["ID", "AGE", "REASON", "TYPE", "SUBJECT", "REPLAYS"]
    by_subject = {row.split()[4]: row.split() for row in rows}
    assert by_subject["note/bad"][2:4] == ["note-banned", NOTE_WRITTEN]
    assert by_subject["note/late"][2:4] == ["shelf-missing", NOTE_WRITTEN]
    assert all(row[1].endswith("s") for row in by_subject.values())  # seconds old
    assert {row[0] for row in by_subject.values()} == {d.short_id for d in letters}
    assert summary.startswith("2 dead letter(s)")
    assert len(await reader.letters()) == 2  # listing took nothing away


async def test_show_prints_one_dead_letter_in_full(reader: Reader, monkeypatch: pytest.MonkeyPatch) -> None:
    event_id = await reader.write("bad")
    [letter] = await reader.wait_for_letters(1)

    code, out = await tool(monkeypatch, reader, "show", letter.short_id)

    assert code == 0, out
    assert f"event id:    {event_id}" in out
    assert "reason:      note-banned" in out
    assert "detail:      note-banned: note bad is banned" in out
    assert "routing key: notes.note.written" in out
    assert '"note_id": "bad"' in out


async def test_replaying_one_dead_letter_once_its_cause_is_fixed_applies_it_once_and_removes_only_it(
    reader: Reader, monkeypatch: pytest.MonkeyPatch
) -> None:
    await reader.write("late")
    await reader.write("bad")
    letters = await reader.wait_for_letters(2)
    [late] = [d for d in letters if d.subject == "note/late"]
    reader.holder["unknown"].discard("late")  # the shelf became known

    code, out = await tool(monkeypatch, reader, "replay", late.short_id)

    assert code == 0, out
    assert "1 dead letter(s) sent back" in out
    await wait_until(lambda: _applied(reader, "late"), what="replayed note applied")
    assert [d.subject for d in await reader.letters()] == ["note/bad"]


async def test_replaying_the_same_event_twice_changes_nothing_the_second_time(
    reader: Reader, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same event delivered twice while its cause was not fixed: two dead letters of one id.
    event_id = await reader.write("late")
    await reader.write("late", event_id=event_id)
    first, second = await reader.wait_for_letters(2)
    assert first.event_id == second.event_id == event_id
    reader.holder["unknown"].discard("late")

    code, out = await tool(monkeypatch, reader, "replay", event_id)
    assert code == 2, "an event id naming two dead letters is ambiguous"
    code, out = await tool(monkeypatch, reader, "replay", first.short_id)
    assert code == 0, out
    await wait_until(lambda: _applied(reader, "late"), what="first replay applied")
    code, out = await tool(monkeypatch, reader, "replay", second.short_id)
    assert code == 0, out
    assert "1 dead letter(s) sent back" in out

    await _settled(reader)
    assert await reader.effects() == {"late": 1}
    assert await reader.letters() == []


async def test_a_replayed_dead_letter_whose_cause_is_not_fixed_returns_through_the_retries_with_a_fresh_reason(
    reader: Reader, monkeypatch: pytest.MonkeyPatch
) -> None:
    event_id = await reader.write("again")
    [before] = await reader.wait_for_letters(1)

    code, out = await tool(monkeypatch, reader, "replay", before.short_id)
    assert code == 0, out

    async def back() -> bool:
        letters = await reader.letters()
        return len(letters) == 1 and letters[0].replays == 1

    await wait_until(back, timeout=15, what="the replayed message back in the dead-letter queue")
    [after] = await reader.letters()
    assert after.event_id == event_id
    assert after.reason == "shelf-missing"
    assert after.dead_at is not None
    assert before.dead_at is not None
    assert after.dead_at > before.dead_at
    assert after.headers["x-plussa-retries"] == 2  # went through every retry again
    assert after.short_id != before.short_id
    assert await reader.effects() == {}


async def test_replay_by_reason_and_type_takes_only_the_matching_dead_letters(
    reader: Reader, monkeypatch: pytest.MonkeyPatch
) -> None:
    await reader.write("late")
    await reader.write("bad")
    await publish(
        reader.settings.amqp_url.get_secret_value(),
        reader.settings.amqp_exchange,
        envelope(OTHER_TYPE, {"note_id": "x"}),
        routing_key="notes.note.written",  # bound, but nobody handles this type
    )
    await reader.wait_for_letters(3)
    reader.holder["unknown"].discard("late")

    code, out = await tool(monkeypatch, reader, "replay", "--reason", "no-handler", "--type", NOTE_WRITTEN)
    assert code == 0, out
    assert "0 dead letter(s) sent back" in out
    code, out = await tool(monkeypatch, reader, "replay", "--reason", "shelf-missing", "--type", NOTE_WRITTEN)
    assert code == 0, out
    assert "1 dead letter(s) sent back" in out

    await wait_until(lambda: _applied(reader, "late"), what="the matching one applied")
    assert sorted(d.reason for d in await reader.letters()) == ["no-handler", "note-banned"]


async def test_replay_all_sends_every_dead_letter_back(reader: Reader, monkeypatch: pytest.MonkeyPatch) -> None:
    await reader.write("late")
    await reader.write("again")
    await reader.wait_for_letters(2)
    reader.holder["unknown"].clear()

    code, out = await tool(monkeypatch, reader, "replay", "--all")

    assert code == 0, out
    assert "2 dead letter(s) sent back" in out
    await wait_until(lambda: _applied(reader, "again"), what="both applied")
    await wait_until(lambda: _applied(reader, "late"), what="both applied")
    assert await reader.letters() == []


async def test_replay_needs_exactly_one_way_of_choosing(reader: Reader, monkeypatch: pytest.MonkeyPatch) -> None:
    await reader.write("bad")
    await reader.wait_for_letters(1)

    assert (await tool(monkeypatch, reader, "replay"))[0] == 2
    assert (await tool(monkeypatch, reader, "replay", "abc", "--all"))[0] == 2
    code, out = await tool(monkeypatch, reader, "replay", "no-such-id")
    assert code == 2
    assert "no dead letter matches" in out
    assert len(await reader.letters()) == 1


async def test_purge_asks_first_and_removes_every_dead_letter_only_when_confirmed(
    reader: Reader, monkeypatch: pytest.MonkeyPatch
) -> None:
    await reader.write("bad")
    await reader.write("late")
    await reader.wait_for_letters(2)

    code, out = await tool(monkeypatch, reader, "purge", answer="n")
    assert code == 1
    assert "nothing removed" in out
    assert len(await reader.letters()) == 2

    code, out = await tool(monkeypatch, reader, "purge", answer="y")
    assert code == 0, out
    assert "2 dead letter(s) removed" in out
    assert await reader.letters() == []

    await reader.write("bad")
    await reader.wait_for_letters(1)
    code, out = await tool(monkeypatch, reader, "purge", "--yes")
    assert code == 0, out
    assert await reader.letters() == []


async def test_the_dead_letter_depth_is_exported_as_a_gauge(reader: Reader) -> None:
    await reader.write("bad")
    await reader.wait_for_letters(1)

    text = await (await reader.client.get("/metrics")).text()

    dead = f"{reader.settings.event_queue}.dead"
    assert f'dead_letter_queue_depth{{queue="{dead}"}} 1.0' in text


async def _applied(reader: Reader, note_id: str) -> bool:
    return (await reader.effects()).get(note_id) == 1


async def _settled(reader: Reader) -> None:
    """Wait until the reader's queue is empty and nothing is in flight."""

    async def empty() -> bool:
        metrics = await (await reader.client.get("/metrics")).text()
        return 'outcome="duplicate"' in metrics

    await wait_until(empty, timeout=15, what="the second replay seen as a duplicate")
