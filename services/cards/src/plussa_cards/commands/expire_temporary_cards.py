"""Expire unlinked temporary cards past their validity: `python -m plussa_cards.commands.expire_temporary_cards`.

A scheduler runs it (daily is enough); running it again changes nothing. The running
service's outbox relay publishes the `card.expired` events it writes.
"""

import asyncio

import structlog

from plussa_cards.commands import run_job
from plussa_cards.settings import CardsSettings
from plussa_cards.use_cases.temporary_cards import expire_temporary_cards
from plussa_shared.logging import configure_logging

log = structlog.get_logger(__name__)


async def expire(settings: CardsSettings) -> int:
    """Run one expiry pass against the configured database; how many cards expired."""
    return await run_job(settings, expire_temporary_cards)


def main() -> None:
    """Read settings from the environment and run one pass."""
    settings = CardsSettings()
    configure_logging(settings.log_format, settings.log_level)
    expired = asyncio.run(expire(settings))
    log.info("expiry_pass_done", count=expired)


if __name__ == "__main__":
    main()
