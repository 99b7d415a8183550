"""Remove warranty receipts past their keeping day, as a daily job:
``python -m plussa_receipts.commands.expire_receipts``.

A receipt is kept until six months (a setting) after its last warranty ends; the
service stops showing it that day, and this job deletes it and announces
``fi.plussa.receipts.receipt.expired``."""

import argparse
import asyncio
import json
import sys
from datetime import datetime

from pymongo import AsyncMongoClient

from plussa_receipts.context import ReceiptsContext
from plussa_receipts.settings import ReceiptsSettings
from plussa_receipts.store import INDEXES
from plussa_receipts.use_cases.receipts import expire_receipts
from plussa_shared.commands import command_context
from plussa_shared.logging import configure_logging
from plussa_shared.mongo import Database, Document
from plussa_shared.outbox import Outbox


async def run(settings: ReceiptsSettings, at: datetime | None = None) -> int:
    """Expire as of ``at`` (default now); returns how many receipts were removed."""

    def build(client: AsyncMongoClient[Document], db: Database, outbox: Outbox) -> ReceiptsContext:
        ctx = ReceiptsContext(settings=settings, client=client, db=db, outbox=outbox)
        if at is not None:
            ctx.clock = lambda: at
        return ctx

    async with command_context(settings, build, INDEXES) as ctx:
        return await expire_receipts(ctx)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the CronJob."""
    parser = argparse.ArgumentParser(prog="plussa_receipts.commands.expire_receipts", description=__doc__)
    parser.add_argument("--at", type=datetime.fromisoformat, default=None, help="an ISO time with zone")
    args = parser.parse_args(argv)
    if args.at is not None and args.at.tzinfo is None:
        parser.error("--at needs a time zone, e.g. 2026-01-01T00:00:00+00:00")
    settings = ReceiptsSettings()
    configure_logging(settings.log_format, settings.log_level)
    removed = asyncio.run(run(settings, args.at))
    sys.stdout.write(json.dumps({"receipts_expired": removed}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
