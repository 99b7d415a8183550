"""Expiry as a command a scheduler runs daily: ``python -m plussa_points.commands.expire``.

Expires what is left of lots past their validity and releases savings whose date
has come; both as ledger entries, each household in its own transaction.
"""

import argparse
import asyncio
import json
import sys
from datetime import datetime

import structlog

from plussa_points.commands import points_context
from plussa_points.settings import PointsSettings
from plussa_points.use_cases.expiry import expire_lots
from plussa_shared.logging import configure_logging

log = structlog.get_logger(__name__)


async def run(settings: PointsSettings, at: datetime | None) -> dict[str, int]:
    """Expire and release as of ``at`` (default now)."""
    async with points_context(settings) as ctx:
        report = await expire_lots(ctx, at or ctx.now())
        return {
            "lots_expired": report.lots_expired,
            "expired_cents": report.expired_cents,
            "households_released": report.households_released,
            "released_cents": report.released_cents,
        }


def main(argv: list[str] | None = None) -> int:
    """Entry point of the CronJob."""
    parser = argparse.ArgumentParser(prog="plussa_points.commands.expire", description=__doc__)
    parser.add_argument("--at", type=datetime.fromisoformat, default=None, help="an ISO time with zone")
    args = parser.parse_args(argv)
    if args.at is not None and args.at.tzinfo is None:
        sys.stderr.write("--at needs a time zone\n")
        return 2
    settings = PointsSettings()
    configure_logging(settings.log_format, settings.log_level)
    summary = asyncio.run(run(settings, args.at))
    log.info("expiry_finished", **summary)
    sys.stdout.write(json.dumps(summary) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
