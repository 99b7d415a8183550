"""Every route of points is documented well enough for a BFF generator."""

from collections.abc import Awaitable, Callable
from typing import Any

from plussa_shared.testing.contract import assert_routes_documented


async def test_every_route_declares_an_operation_id_a_description_and_examples_that_fit_its_schema(
    points: Callable[..., Awaitable[Any]],
) -> None:
    h = await points()

    assert_routes_documented(h.client.app)
