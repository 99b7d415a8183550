"""A broker outage loses nothing: the outbox keeps every state change and delivers
its events exactly once in effect, and a consumer resumes, once the connection
(through a proxy the test cuts and restores) comes back."""

from typing import Any

from plussa_shared.app import create_service_app
from plussa_shared.keys import BROKER, DB, RELAY
from plussa_shared.outbox import OUTBOX
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.bus import envelope, publish
from plussa_shared.testing.proxy import tcp_proxy
from plussa_shared.testing.sample import NOTE_WRITTEN, WRITER, effects, reader_spec, wait_until


async def test_state_changes_commit_during_a_broker_outage_and_reach_the_consumer_once_after_it(
    aiohttp_client: Any, settings_for: Any, amqp_url: str, tokens: Any
) -> None:
    async with tcp_proxy(amqp_url) as proxy:
        writer_settings = settings_for(
            ServiceSettings, service_name="writer", amqp_url=proxy.url_for(amqp_url), broker_reconnect_interval_s=0.2
        )
        writer = await aiohttp_client(create_service_app(writer_settings, WRITER))
        reader_db: dict[str, Any] = {}
        reader = await aiohttp_client(
            create_service_app(settings_for(ServiceSettings, service_name="reader"), reader_spec(reader_db))
        )
        await wait_until(lambda: _ready(reader), what="reader ready")
        auth = tokens.bearer(tokens.customer("p1", "h1"))
        resp = await writer.post("/v1/notes", json={"note_id": "before", "text": "x"}, headers=auth)
        assert resp.status == 201
        await wait_until(lambda: _applied(reader_db, "before"), what="note before the outage applied")

        await proxy.cut()
        await wait_until(lambda: _not_ready(writer), what="writer reports not ready while cut")
        written = [f"during-{i}" for i in range(5)]
        for note_id in written:
            resp = await writer.post("/v1/notes", json={"note_id": note_id, "text": "x"}, headers=auth)
            assert resp.status == 201, await resp.text()
        writer_db = writer.app[DB]
        assert await writer_db["notes"].count_documents({"_id": {"$in": written}}) == len(written)
        assert await writer_db[OUTBOX].count_documents({"sent_at": None}) >= len(written)

        await proxy.restore()
        await wait_until(lambda: _ready(writer), timeout=15, what="writer ready again")
        await wait_until(
            lambda: _all_applied(reader_db, written), timeout=15, what="every note written during the outage applied"
        )
        assert await effects(reader_db["db"]) == {"before": 1, **dict.fromkeys(written, 1)}
        assert await writer.app[RELAY].backlog() == 0
        assert writer.app[BROKER].is_ready


async def _ready(client: Any) -> bool:
    return (await client.get("/health/ready")).status == 200


async def _not_ready(client: Any) -> bool:
    return (await client.get("/health/ready")).status == 503


async def _applied(holder: dict[str, Any], note_id: str) -> bool:
    return "db" in holder and (await effects(holder["db"])).get(note_id) == 1


async def _all_applied(holder: dict[str, Any], note_ids: list[str]) -> bool:
    seen = await effects(holder["db"])
    return all(seen.get(n, 0) >= 1 for n in note_ids)


async def test_a_consumer_cut_off_from_the_broker_resumes_consuming_when_the_connection_returns(
    aiohttp_client: Any, settings_for: Any, amqp_url: str
) -> None:
    async with tcp_proxy(amqp_url) as proxy:
        settings = settings_for(ServiceSettings, service_name="reader", amqp_url=proxy.url_for(amqp_url))
        reader_db: dict[str, Any] = {}
        reader = await aiohttp_client(create_service_app(settings, reader_spec(reader_db)))
        await wait_until(lambda: _ready(reader), what="reader ready")
        await publish(amqp_url, settings.amqp_exchange, envelope(NOTE_WRITTEN, {"note_id": "before", "text": "x"}))
        await wait_until(lambda: _applied(reader_db, "before"), what="note before the outage applied")

        await proxy.cut()
        await wait_until(lambda: _not_ready(reader), what="reader reports not ready while cut")
        # Published while the reader is away: the durable queue keeps them.
        during = [f"during-{i}" for i in range(3)]
        for note_id in during:
            await publish(amqp_url, settings.amqp_exchange, envelope(NOTE_WRITTEN, {"note_id": note_id, "text": "x"}))

        await proxy.restore()
        await wait_until(lambda: _ready(reader), timeout=15, what="reader ready again")
        await wait_until(lambda: _all_applied(reader_db, during), timeout=15, what="notes queued during the outage")
        await publish(amqp_url, settings.amqp_exchange, envelope(NOTE_WRITTEN, {"note_id": "after", "text": "x"}))
        await wait_until(lambda: _applied(reader_db, "after"), what="note after the outage applied")
        assert await effects(reader_db["db"]) == {"before": 1, "after": 1, **dict.fromkeys(during, 1)}
