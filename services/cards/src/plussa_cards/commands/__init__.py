"""The cards service's command-line jobs: ``python -m plussa_cards.commands.<job>``."""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from plussa_cards.context import CardsContext
from plussa_cards.settings import CardsSettings
from plussa_cards.store import INDEXES
from plussa_shared.commands import command_context

T = TypeVar("T")


async def run_job(settings: CardsSettings, job: Callable[[CardsContext], Awaitable[T]]) -> T:
    """Run ``job`` with a context over the configured database, prepared as the service prepares it."""
    async with command_context(
        settings, lambda client, db, outbox: CardsContext(settings, client, db, outbox), INDEXES
    ) as ctx:
        return await job(ctx)
