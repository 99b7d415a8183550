"""Repository-wide tests: the dev stack, the deployment files, the AsyncAPI document, the
fuzz of every API, and the contract fixtures the end-to-end tests use."""

import importlib
import sys
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from plussa_shared.bus_access import SERVICES
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.contract import ResponseRecorder
from plussa_shared.testing.events_check import BusRecorder, EventContract, record_bus

ROOT = Path(__file__).resolve().parent.parent
ASYNCAPI = ROOT / "docs" / "asyncapi.yaml"

# The tests drive the developer tools in scripts/, a package of the repository root.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RecordBus = Callable[[ServiceSettings], AbstractAsyncContextManager[BusRecorder]]


@pytest.fixture(scope="session")
def event_contract() -> EventContract:
    """The AsyncAPI document's messages, by CloudEvents type."""
    return EventContract.from_file(ASYNCAPI)


@pytest.fixture
def bus_recorder(event_contract: EventContract) -> RecordBus:
    """``async with bus_recorder(settings) as recorded:`` records every event published on
    the test's internal exchange and on every private exchange while the block runs, and
    fails the test unless each is a valid CloudEvent matching its AsyncAPI message."""

    def record(settings: ServiceSettings) -> AbstractAsyncContextManager[BusRecorder]:
        private = [settings.private_exchange(service) for service in SERVICES]
        return record_bus(settings.amqp_url.get_secret_value(), [settings.amqp_exchange, *private], event_contract)

    return record


@pytest.fixture
def response_recorder() -> ResponseRecorder:
    """Make test clients with ``await response_recorder.client(aiohttp_client, app)``; every
    response they receive is checked against the answering service's OpenAPI document,
    and ``response_recorder.assert_all_documented()`` fails listing those that break it."""
    return ResponseRecorder()


@pytest.fixture
def service_app(settings_for: Any) -> Callable[..., web.Application]:
    """``service_app("cards", **settings)``: a service's real application (not started) on
    this test's database and exchanges."""

    def build(service: str, **overrides: Any) -> web.Application:
        package = f"plussa_{service}"
        settings_cls = getattr(importlib.import_module(f"{package}.settings"), f"{service.capitalize()}Settings")
        app: web.Application = importlib.import_module(f"{package}.app").create_app(
            settings_for(settings_cls, **overrides)
        )
        return app

    return build
