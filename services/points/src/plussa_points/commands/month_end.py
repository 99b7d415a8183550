"""Month end as a command a scheduler runs:
``python -m plussa_points.commands.month_end [--month YYYY-MM] [--partition I/N]``.

Idempotent and resumable: run it again after any failure and every household is
closed exactly once. With ``--partition I/N`` (an Indexed Job passes
``$(JOB_COMPLETION_INDEX)/N``) the run closes only share I of N of the households,
so N runs at once close the month together. Events leave through the points
service's outbox relay.
"""

import argparse
import asyncio
import gc
import json
import re
import sys

import structlog

from plussa_points.commands import points_context
from plussa_points.domain.calendar import MONTH_PATTERN, month_of, shift_month
from plussa_points.domain.partition import Partition, PartitionError
from plussa_points.settings import PointsSettings
from plussa_points.use_cases.month_end import close_all
from plussa_shared.logging import configure_logging

log = structlog.get_logger(__name__)

GC_THRESHOLD = 50_000
"""Allocations between collections of the youngest generation while closing (Python's default: 700)."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="plussa_points.commands.month_end", description=__doc__)
    parser.add_argument("--month", help="YYYY-MM to close; default: the month before now")
    parser.add_argument("--limit", type=int, default=None, help="close at most this many households")
    parser.add_argument("--partition", default="0/1", help="I/N: close share I (0-based) of N; default: all")
    return parser.parse_args(argv)


async def run(
    settings: PointsSettings, month: str | None, limit: int | None, partition: Partition = Partition()
) -> dict[str, object]:
    """Close the month (or this partition's share of it) and return the run's figures."""
    async with points_context(settings) as ctx:
        target = month or shift_month(month_of(ctx.now(), ctx.rules.zone), -1)
        _collect_garbage_rarely()
        report = await close_all(ctx, target, limit=limit, partition=partition)
        return {
            "month": report.month,
            "partition": report.partition,
            "households_closed": report.households_closed,
            "already_closed": report.skipped,
            "batches": report.batches,
            "payout_cents": report.payout_cents,
            "donated_cents": report.donated_cents,
        }


def _collect_garbage_rarely() -> None:
    """Month end makes millions of short-lived objects, freed as they go out of use; the
    cycle collector would otherwise run every few hundred of them and, now and then, walk
    every object the process holds (its modules and schemas). What exists at the start
    is kept out of those walks, and collections are spaced wider."""
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 20, 20)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the CronJob."""
    args = parse_args(argv)
    if args.month is not None and not re.match(MONTH_PATTERN, args.month):
        sys.stderr.write("--month must be YYYY-MM\n")
        return 2
    try:
        partition = Partition.parse(args.partition)
    except PartitionError as exc:
        sys.stderr.write(f"--partition must be I/N with 0 <= I < N: {exc}\n")
        return 2
    settings = PointsSettings()
    configure_logging(settings.log_format, settings.log_level)
    summary = asyncio.run(run(settings, args.month, args.limit, partition))
    log.info("month_end_finished", **summary)
    sys.stdout.write(json.dumps(summary) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
