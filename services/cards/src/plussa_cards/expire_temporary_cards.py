"""Expire unlinked temporary cards past their validity: `python -m plussa_cards.expire_temporary_cards`.

A scheduler runs it (daily is enough); running it again changes nothing. The running
service's outbox relay publishes the `card.expired` events it writes.
"""

import asyncio

import structlog

from plussa_cards.service import CardsService
from plussa_cards.settings import CardsSettings
from plussa_shared.logging import configure_logging
from plussa_shared.mongo import client_lifespan
from plussa_shared.outbox import Outbox

log = structlog.get_logger(__name__)


async def expire(settings: CardsSettings) -> int:
    """Run one expiry pass against the configured database; how many cards expired."""
    async for client in client_lifespan(str(settings.mongo_url), f"{settings.service_name}-expiry"):
        db = client[settings.mongo_database]
        service = CardsService(client, db, Outbox(db), settings)
        return await service.expire_temporary_cards()
    return 0


def main() -> None:
    """Read settings from the environment and run one pass."""
    settings = CardsSettings()
    configure_logging(settings.log_format, settings.log_level)
    expired = asyncio.run(expire(settings))
    log.info("expiry_pass_done", count=expired)


if __name__ == "__main__":
    main()
