"""The sample catalogue service, which declares every HTTP convention, for the shared tests."""

from collections.abc import Callable
from typing import Any

import pytest
from pymongo import IndexModel

from plussa_shared.app import ServiceSpec, create_service_app
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.sample_catalogue import ITEMS, items, reference

CATALOGUE = ServiceSpec(
    title="Catalogue",
    routes=[items, reference],
    indexes={ITEMS: [IndexModel([("owner", 1), ("created_at", -1), ("_id", -1)], name="owner_newest")]},
)


@pytest.fixture
def catalogue_app(settings_for: Any) -> Callable[..., Any]:
    """Build the catalogue app with extra settings (e.g. ``page_limit_max=5``)."""

    def build(**values: Any) -> Any:
        return create_service_app(settings_for(ServiceSettings, service_name="catalogue", **values), CATALOGUE)

    return build


@pytest.fixture
async def catalogue(aiohttp_client: Any, catalogue_app: Callable[..., Any]) -> Any:
    """A test client of the catalogue with default settings."""
    return await aiohttp_client(catalogue_app())


@pytest.fixture
def aino(tokens: Any) -> dict[str, str]:
    """A signed-in customer's headers."""
    return dict(tokens.bearer(tokens.customer("aino", "h1")))


@pytest.fixture
def eero(tokens: Any) -> dict[str, str]:
    """Another customer's headers."""
    return dict(tokens.bearer(tokens.customer("eero", "h1")))
