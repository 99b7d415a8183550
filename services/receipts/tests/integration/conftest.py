"""Fixtures of the receipts service's integration tests."""

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from plussa_receipts.app import create_app
from plussa_receipts.context import ReceiptsContext
from plussa_receipts.settings import ReceiptsSettings
from plussa_receipts.testing import Clock, Receipts
from plussa_shared.keys import CONTEXT
from plussa_shared.testing.tokens import TestTokens


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def receipts(
    aiohttp_client: Any, settings_for: Any, tokens: TestTokens, clock: Clock
) -> Callable[..., Awaitable[Receipts]]:
    """``await receipts(**setting_overrides)`` -> a running receipts service."""

    async def start(**overrides: Any) -> Receipts:
        settings = settings_for(ReceiptsSettings, **{"consumer_retry_delays_ms": [50, 100], **overrides})
        client = await aiohttp_client(create_app(settings))
        ctx = client.app[CONTEXT]
        assert isinstance(ctx, ReceiptsContext)
        ctx.clock = clock
        return Receipts(client=client, ctx=ctx, settings=settings, tokens=tokens, clock=clock)

    return start
