"""Marketing send benchmark: one campaign to N consenting people through the real SMTP sink.

Runs the notifications service as its own process (so its peak memory is its own) on an
embedded MongoDB and the machine's RabbitMQ, with the sink in this process. The people
and their consents are written straight into the service's projections (as identity's
events and the portal would have left them). Then:

1. a K-Citymarket campaign: mails per second, the service's peak RSS, and proof that
   exactly N distinct mails (by Message-ID and recipient) arrived;
2. a K-Rauta campaign during which the sink is stopped for a while and started again:
   none lost, none doubled.

    .venv/bin/python services/notifications/benchmarks/marketing_send.py --people 20000

Figures (2026-11-30, a 2-core machine shared with other work, load average about 12;
4 SMTP connections, batches of 200, campaign batches of 500):

    1. 20,000 mails in 239 s: 84 mails/s; the service's peak RSS 86 MiB (81 MiB idle);
       20,000 arrived, 20,000 distinct Message-IDs and recipients.
    2. 20,000 mails with the sink stopped for 30 s after the first 5,000: 215 s; 20,000
       arrived, 20,000 distinct; no message left unsent. None lost, none doubled.
"""

import argparse
import asyncio
import email.parser
import email.policy
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from pymongo import AsyncMongoClient

from plussa_notifications.settings import NotificationsSettings
from plussa_notifications.testing.smtp_sink import SmtpSink, free_port
from plussa_shared.testing.embedded_mongo import EmbeddedMongo
from plussa_shared.testing.isolation import isolated_values, remove_isolated
from plussa_shared.testing.tokens import JwksServer, TestTokens

AMQP_URL = os.environ.get("PLUSSA_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")


def say(line: str) -> None:
    print(line, flush=True)  # noqa: T201 - a benchmark reports on the console


def _kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


async def seed(db: Any, people: int, chains: list[str]) -> None:
    """People with verified addresses, each consenting to ``chains``."""
    now = datetime.now(UTC)
    batch = 5000
    for start in range(0, people, batch):
        ids = [f"bench-{n:06d}" for n in range(start, min(start + batch, people))]
        languages = ("fi", "sv", "en")
        await db.people.insert_many(
            [
                {
                    "_id": p,
                    "email": f"{p}@example.fi",
                    "email_verified": True,
                    "language": languages[i % 3],
                    "first_name": "Aino",
                }
                for i, p in enumerate(ids)
            ]
        )
        await db.preferences.insert_many(
            [{"_id": p, "consents": dict.fromkeys(chains, True), "opted_in": chains, "version": 1} for p in ids]
        )
        await db.consents.insert_many(
            [
                {
                    "_id": f"{p}-{c}",
                    "person_id": p,
                    "chain_id": c,
                    "consented": True,
                    "at": now,
                    "source": "portal",
                    "wording_version": "2026-11",
                }
                for p in ids
                for c in chains
            ]
        )


def verify(sink: SmtpSink, files: list[Path], people: int) -> tuple[int, int]:
    """Distinct Message-IDs and recipients among ``files``."""
    parser = email.parser.BytesHeaderParser(policy=email.policy.default)
    ids, recipients = set(), set()
    for path in files:
        headers = parser.parsebytes(path.read_bytes())
        ids.add(str(headers["Message-ID"]))
        recipients.add(str(headers["To"]))
    return len(ids), len(recipients)


async def campaign(http: aiohttp.ClientSession, base: str, headers: dict[str, str], chain_id: str) -> str:
    body = {
        "chain_id": chain_id,
        "kind": "offer",
        "title": {"fi": "Tarjous", "sv": "Erbjudande", "en": "Offer"},
        "text": {"fi": "Vain tänään.", "sv": "Bara i dag.", "en": "Today only."},
    }
    async with http.post(f"{base}/v1/campaigns", json=body, headers=headers) as answer:
        assert answer.status == 201, await answer.text()
        return str((await answer.json())["campaign_id"])


async def wait_for_files(
    sink: SmtpSink,
    before: int,
    count: int,
    pid: int,
    timeout_s: float,
    outage_at: int | None = None,
    outage_s: float = 0.0,
) -> tuple[float, list[Path]]:
    started = time.monotonic()
    outage_done = outage_at is None
    while True:
        arrived = sink.kept - before
        if not outage_done and outage_at is not None and arrived >= outage_at:
            sink.stop()
            say(f"  sink stopped after {arrived} mails; down for {outage_s:.0f} s")
            await asyncio.sleep(outage_s)
            sink.start()
            say("  sink started again")
            outage_done = True
        if arrived >= count:
            return time.monotonic() - started, sink.files()[before:]
        if time.monotonic() - started > timeout_s:
            raise AssertionError(f"only {arrived} of {count} mails arrived in {timeout_s:.0f} s")
        await asyncio.sleep(0.25)


async def bench(people: int, outage_s: float) -> None:
    tokens = TestTokens()
    jwks = JwksServer(tokens.jwks)
    jwks.start()
    with tempfile.TemporaryDirectory(prefix="notifications-bench-") as tmp:
        mongo = EmbeddedMongo(Path(tmp) / "mongo")
        mongo_url = await asyncio.to_thread(mongo.start)
        sink = SmtpSink(Path(tmp) / "mail").start()
        port = free_port()
        values = isolated_values(
            "notifications",
            run_id=uuid.uuid4().hex[:8],
            label="bench",
            mongo_url=mongo_url,
            amqp_url=AMQP_URL,
            jwks_url=jwks.url,
        )
        settings = NotificationsSettings.model_validate({**values, "port": port})
        env = {
            **os.environ,
            **{f"PLUSSA_NOTIFICATIONS_{k.upper()}": str(v) for k, v in values.items()},
            "PLUSSA_NOTIFICATIONS_PORT": str(port),
            "PLUSSA_NOTIFICATIONS_LOG_LEVEL": "WARNING",
            "PLUSSA_NOTIFICATIONS_SMTP_PORT": str(sink.port),
            "PLUSSA_NOTIFICATIONS_RETRY_FIRST_S": "0.5",
            "PLUSSA_NOTIFICATIONS_RETRY_CAP_S": "2",
            "PLUSSA_NOTIFICATIONS_SMTP_TIMEOUT_S": "2",
        }
        service = await asyncio.create_subprocess_exec(sys.executable, "-m", "plussa_notifications", env=env)
        base = f"http://127.0.0.1:{port}"
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
        try:
            await _ready(base)
            db = client[settings.mongo_database]
            started = time.monotonic()
            await seed(db, people, ["k-citymarket", "k-rauta"])
            say(f"notifications benchmark: {people} consenting people seeded in {time.monotonic() - started:.1f} s")
            say(f"  service RSS before sending: {_kb(service.pid, 'VmRSS') / 1024:.0f} MiB")
            ops = tokens.bearer(tokens.operator("bench", "ops", ttl=timedelta(hours=2)))
            async with aiohttp.ClientSession() as http:
                await campaign(http, base, ops, "k-citymarket")
                elapsed, files = await wait_for_files(sink, 0, people, service.pid, timeout_s=900)
                ids, recipients = verify(sink, files, people)
                say(
                    f"1. K-Citymarket to {people}: {elapsed:.1f} s, {people / elapsed:.0f} mails/s; "
                    f"arrived {len(files)}, distinct Message-IDs {ids}, distinct recipients {recipients}"
                )
                say(f"   service peak RSS so far: {_kb(service.pid, 'VmHWM') / 1024:.0f} MiB")
                await campaign(http, base, ops, "k-rauta")
                elapsed, files = await wait_for_files(
                    sink, people, people, service.pid, timeout_s=900, outage_at=people // 4, outage_s=outage_s
                )
                await asyncio.sleep(3)  # anything doubled would arrive now
                files = sink.files()[people:]
                ids, recipients = verify(sink, files, people)
                failed = await db.messages.count_documents({"status": {"$ne": "sent"}})
                say(
                    f"2. K-Rauta to {people} with the sink down {outage_s:.0f} s: {elapsed:.1f} s; "
                    f"arrived {len(files)}, distinct Message-IDs {ids}, distinct recipients {recipients}; "
                    f"messages not sent: {failed}"
                )
                say(f"   service peak RSS: {_kb(service.pid, 'VmHWM') / 1024:.0f} MiB")
                ok = len(files) == ids == recipients == people and failed == 0
                say("verdict: " + ("exactly every mail arrived once, in both runs" if ok else "MISMATCH"))
        finally:
            service.terminate()
            await asyncio.wait_for(service.wait(), 30)
            sink.stop()
            await client.close()
            await remove_isolated(mongo_url, AMQP_URL, [settings])
            await asyncio.to_thread(mongo.stop)
            jwks.stop()


async def _ready(base: str) -> None:
    deadline = time.monotonic() + 60
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1)) as http:
        while time.monotonic() < deadline:
            try:
                async with http.get(f"{base}/health/ready") as answer:
                    if answer.status == 200:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("the notifications service did not get ready")


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--outage-s", type=float, default=10.0, help="how long the sink is down in run 2")
    args = parser.parse_args()
    asyncio.run(bench(args.people, args.outage_s))


if __name__ == "__main__":
    main()
