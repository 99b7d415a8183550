"""How long a password reset request takes for an e-mail address with a login and for
one without; the two should match, so the answer's timing tells nothing about accounts.

Runs the use case on a real MongoDB (a throwaway mongod from the dev dependencies),
alternating the two kinds of request, and prints the median and p90 of each: with the
service's answer time (``password_reset_answer_ms``) and with none, which shows the work alone.

    .venv/bin/python services/identity/benchmarks/reset_timing.py [rounds]
"""

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from plussa_identity.context import IdentityContext
from plussa_identity.domain.account import Account
from plussa_identity.settings import IdentitySettings
from plussa_identity.store import INDEXES
from plussa_identity.use_cases.passwords import request_reset
from plussa_shared.commands import command_context
from plussa_shared.context import UnitOfWork
from plussa_shared.testing.embedded_mongo import EmbeddedMongo

KNOWN = "aino.virtanen@example.com"
UNKNOWN = "nobody.here@example.com"


async def measure(url: str, rounds: int, answer_ms: int) -> dict[str, list[float]]:
    settings = IdentitySettings(
        mongo_url=url,  # type: ignore[arg-type]
        mongo_database="reset_timing",
        password_reset_answer_ms=answer_ms,
    )
    async with command_context(settings, partial(IdentityContext.build, settings), INDEXES) as ctx:
        now = datetime.now(UTC)
        account = Account(
            person_id="p-bench",
            email=KNOWN,
            password_hash="not-a-hash",  # noqa: S106 - no login is made with it
            language="fi",
            created_at=now,
            updated_at=now,
        )

        async def add(uow: UnitOfWork) -> None:
            await ctx.store.insert_account(account, uow.session)

        await ctx.run(add)
        samples: dict[str, list[float]] = {"known e-mail": [], "unknown e-mail": []}
        for n in range(rounds * 2 + 10):
            label, email = ("known e-mail", KNOWN) if n % 2 else ("unknown e-mail", UNKNOWN)
            address = f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"  # one request per address: no lock
            started = time.perf_counter()
            await request_reset(ctx, email, address)
            if n >= 10:  # the first ones warm the connection pool and caches
                samples[label].append((time.perf_counter() - started) * 1000)
        await ctx.db.client.drop_database("reset_timing")
        return samples


def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as data:
        mongo = EmbeddedMongo(Path(data))
        url = mongo.start()
        try:
            runs = {
                f"answer at {ms} ms": asyncio.run(measure(url, rounds, ms))
                for ms in (IdentitySettings().password_reset_answer_ms, 0)
            }
        finally:
            mongo.stop()
    for run, samples in runs.items():
        for label, values in samples.items():
            sys.stdout.write(
                f"{run:17} {label:15} median {statistics.median(values):7.2f} ms  "
                f"p90 {statistics.quantiles(values, n=10)[-1]:7.2f} ms  ({len(values)} requests)\n"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
