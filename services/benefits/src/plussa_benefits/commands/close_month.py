"""Close a month of sponsorship totals for every store (or one):

    python -m plussa_benefits.commands.close_month [--month 2026-03] [--store-id k-market-kallio]

Without ``--month`` the previous month is closed. Each store's month closes once;
a store already closed is reported and skipped.
"""

import argparse
import asyncio

from pymongo import AsyncMongoClient

from plussa_benefits.context import BenefitsContext
from plussa_benefits.domain.errors import MonthClosedError
from plussa_benefits.domain.sponsorship import previous_month
from plussa_benefits.settings import BenefitsSettings
from plussa_benefits.store import INDEXES
from plussa_benefits.use_cases import sponsorship
from plussa_shared.commands import command_context
from plussa_shared.mongo import Database, Document
from plussa_shared.outbox import Outbox


async def run(settings: BenefitsSettings, month: str | None, store_id: str | None) -> list[str]:
    """Close the month; the lines to print."""

    def build(client: AsyncMongoClient[Document], db: Database, outbox: Outbox) -> BenefitsContext:
        return BenefitsContext(settings, client, db, outbox)

    async with command_context(settings, build, INDEXES) as ctx:
        chosen = month or previous_month(ctx.now(), ctx.zone)
        if store_id is None:
            closed = await sponsorship.close_all(ctx, chosen)
            return [f"{t.store_id} {t.month} closed: {sum(t.totals.values())} cents" for t in closed]
        try:
            totals = await sponsorship.close_month(ctx, store_id, chosen)
        except MonthClosedError:
            return [f"{store_id} {chosen} was already closed"]
        return [f"{totals.store_id} {totals.month} closed: {sum(totals.totals.values())} cents"]


def main() -> None:
    """Parse the arguments and close the month."""
    parser = argparse.ArgumentParser(description="Close a month of sponsorship totals")
    parser.add_argument("--month", help="YYYY-MM; default: the previous month")
    parser.add_argument("--store-id")
    args = parser.parse_args()
    for line in asyncio.run(run(BenefitsSettings(), args.month, args.store_id)):
        print(line)  # noqa: T201


if __name__ == "__main__":
    main()
