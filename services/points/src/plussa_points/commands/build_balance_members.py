"""List each household's active members in its balance view, for households whose view
does not list them yet: ``python -m plussa_points.commands.build_balance_members``.

Run once after deploying the list: until a household's view lists its members, its
balance and purchase routes check the caller against the members projection instead
(the same answer, one read more), and the household's next membership change fills the
list anyway. Running it again changes nothing.
"""

import asyncio
import json
import sys

import structlog

from plussa_points.commands import points_context
from plussa_points.settings import PointsSettings
from plussa_points.use_cases.cards import build_balance_members
from plussa_shared.logging import configure_logging

log = structlog.get_logger(__name__)


async def run(settings: PointsSettings) -> int:
    """Fill the lists; how many households."""
    async with points_context(settings) as ctx:
        return await build_balance_members(ctx)


def main() -> int:
    """Read settings from the environment and fill the lists."""
    settings = PointsSettings()
    configure_logging(settings.log_format, settings.log_level)
    households = asyncio.run(run(settings))
    log.info("balance_members_built", households=households)
    sys.stdout.write(json.dumps({"households": households}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
