"""pytest fixtures for every service's tests: real MongoDB and RabbitMQ, isolated per
test (a database per service per test; an exchange and queue prefix per test)."""

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from plussa_shared import bus_access
from plussa_shared.settings import ServiceSettings
from plussa_shared.testing.broker_users import SessionBrokerUsers
from plussa_shared.testing.isolation import declare_exchanges, exchanges_of, isolated_values, remove_isolated
from plussa_shared.testing.logs import LogLines, json_logs
from plussa_shared.testing.servers import mongo_server, rabbitmq_server
from plussa_shared.testing.tokens import JwksServer, TestTokens

S = TypeVar("S", bound=ServiceSettings)
SettingsFactory = Callable[..., Any]


@pytest.fixture(scope="session")
def mongo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One MongoDB replica set for the whole test session."""
    with mongo_server(Path(tmp_path_factory.mktemp("mongod"))) as url:
        yield url


@pytest.fixture(scope="session")
def amqp_url() -> Iterator[str]:
    """The RabbitMQ of the test session."""
    with rabbitmq_server() as url:
        yield url


@pytest.fixture(scope="session")
def broker_users(amqp_url: str) -> Iterator[SessionBrokerUsers]:
    """The session's broker users (one per service, store systems, a partner), with
    production's permissions; removed when the session ends."""
    users = SessionBrokerUsers(amqp_url)
    try:
        yield users
    finally:
        users.remove()


@pytest.fixture(scope="session")
def tokens() -> TestTokens:
    """Signs tokens that the services under test accept."""
    return TestTokens()


@pytest.fixture(scope="session")
def jwks_url(tokens: TestTokens) -> Iterator[str]:
    """A JWKS endpoint serving the test keys, as identity would."""
    server = JwksServer(tokens.jwks)
    server.start()
    yield server.url
    server.stop()


@pytest.fixture
def logs() -> Iterator[LogLines]:
    """What the test's process logs, as JSON lines (INFO and above), as in production."""
    with json_logs() as lines:
        yield lines


@pytest.fixture
def namespace(broker_users: SessionBrokerUsers) -> str:
    """A short id that keeps this test's databases, exchange and queues apart (and
    within the names the session's broker users may touch)."""
    return broker_users.namespace()


@pytest.fixture
def topic_permissions(broker_users: SessionBrokerUsers, namespace: str) -> Callable[[ServiceSettings], None]:
    """Call with a test's settings to set the session users' topic permissions on that
    test's exchanges, so each may publish only its own event types there."""

    def apply(settings: ServiceSettings) -> None:
        if not broker_users.enforced:
            raise RuntimeError("this broker's permissions cannot be set from here (no local rabbitmqctl)")
        broker_users.ensure(*bus_access.SERVICES, bus_access.STORES_USER, "partner")
        broker_users.apply_topic_permissions(exchanges_of(settings))

    return apply


@pytest.fixture(autouse=True)
def _test_resources() -> Iterator[list[tuple[str, str, ServiceSettings]]]:
    """Databases, queues and exchanges a test's settings named, removed after the test.

    Autouse, so it is set up before and torn down after every other fixture of the
    test, in particular after the apps of ``aiohttp_client`` have stopped: removing
    a database under a running relay or a queue under a live consumer would only
    make them create it again.
    """
    made: list[tuple[str, str, ServiceSettings]] = []
    yield made
    if made:
        # The test's event loop is closed by now; clean up on a loop of our own.
        worker = threading.Thread(target=asyncio.run, args=(_remove_resources(made),))
        worker.start()
        worker.join()


def _in_thread(work: Coroutine[Any, Any, None]) -> None:
    """Run ``work`` to its end on a loop of its own (the caller may be inside the test's loop)."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(work)
        except BaseException as exc:
            failure.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if failure:
        raise failure[0]


async def _remove_resources(made: list[tuple[str, str, ServiceSettings]]) -> None:
    await remove_isolated(made[0][0], made[0][1], [settings for _, _, settings in made])


@pytest.fixture
def settings_for(
    mongo_url: str,
    amqp_url: str,
    jwks_url: str,
    namespace: str,
    broker_users: SessionBrokerUsers,
    _test_resources: list[tuple[str, str, ServiceSettings]],
) -> SettingsFactory:
    """Build a service's ``Settings`` pointing at this test's isolated resources.

    ``settings_for(CardsSettings, consumer_retry_delays_ms=[50])`` -> settings. Every
    service built in one test shares the test's exchange, so events flow between them.
    Databases, queues and the exchange are removed after the test, once its apps
    have stopped. Each service connects as its own broker user, with the
    permissions it has in production; the exchanges are made here, as the broker's
    definitions make them in production.
    """

    def factory(cls: type[S], **overrides: Any) -> S:
        name = overrides.pop("service_name", None) or cls.model_fields["service_name"].default
        values: dict[str, Any] = {
            **isolated_values(
                name, run_id=namespace, label="test", mongo_url=mongo_url, amqp_url=amqp_url, jwks_url=jwks_url
            ),
            "environment": "test",
            "consumer_retry_delays_ms": [100, 200],
            "outbox_poll_interval_s": 0.05,
            "broker_reconnect_interval_s": 0.2,
            "amqp_url": broker_users.url_for(name),
            **overrides,
        }
        settings = cls(**values)
        _test_resources.append((mongo_url, amqp_url, settings))
        _in_thread(declare_exchanges(amqp_url, settings))
        return settings

    return factory
