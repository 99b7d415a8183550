"""Outages of the broker and the database that a service rides out by itself.

A lost connection to RabbitMQ or MongoDB heals on its own: aio-pika reconnects and
restores its channels and consumers, pymongo finds the server again, the outbox keeps
what was not published and the broker redelivers what was not acknowledged. Such an
outage is logged as ONE warning when it starts (with its cause) and one info line when
it is over, not as a trail of library errors, so an alert on error-level logs fires
only for what did not heal. ``configure_logging`` quietens the libraries' own lines
about it (see ``plussa_shared.logging``).
"""

import time
from collections.abc import Callable
from typing import Any

import structlog
from aio_pika.abc import AbstractRobustConnection
from aio_pika.exceptions import AMQPError
from pymongo.errors import ConnectionFailure
from pymongo.monitoring import ServerClosedEvent, ServerDescriptionChangedEvent, ServerListener, ServerOpeningEvent

log = structlog.get_logger(__name__)

CAUSE_MAX_CHARS = 300


def describe(exc: BaseException | None) -> str:
    """A short cause for a log line: the error's class and message."""
    if exc is None:
        return "closed"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text[:CAUSE_MAX_CHARS]}" if text else type(exc).__name__


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` says the broker or the database is away (a fault that heals),
    rather than a fault of the code or the data."""
    return isinstance(exc, ConnectionFailure | AMQPError | ConnectionError | TimeoutError)


class Dependency:
    """One thing a service depends on (``rabbitmq``, ``mongodb``): logs the start of an
    outage once, with its cause, and its end once."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._down_since: float | None = None

    @property
    def is_down(self) -> bool:
        """Whether an outage is in progress."""
        return self._down_since is not None

    def down(self, cause: str) -> None:
        """The dependency went away; only the first call of an outage logs a warning."""
        if self._down_since is not None:
            log.debug("dependency_still_unavailable", dependency=self.name, cause=cause)
            return
        self._down_since = time.monotonic()
        log.warning("dependency_unavailable", dependency=self.name, cause=cause)

    def up(self) -> None:
        """The dependency answers again; logs once, when an outage was in progress."""
        if self._down_since is None:
            return
        lasted = time.monotonic() - self._down_since
        self._down_since = None
        log.info("dependency_recovered", dependency=self.name, down_for_s=round(lasted, 1))


class Outages:
    """The dependencies of one service process."""

    def __init__(self) -> None:
        self.rabbitmq = Dependency("rabbitmq")
        self.mongodb = Dependency("mongodb")


def watch_connection(connection: AbstractRobustConnection, dependency: Dependency, closing: Callable[[], bool]) -> None:
    """Report the robust connection's losses and reconnects to ``dependency``.

    The close callback also runs when the service closes the connection itself
    (``closing()`` is then true), which is no outage.
    """

    def lost(sender: Any, exc: BaseException | None = None, *_: Any) -> None:
        if closing() or connection.is_closed:
            return
        dependency.down(describe(exc))

    def restored(sender: Any, *_: Any) -> None:
        dependency.up()

    connection.close_callbacks.add(lost)
    connection.reconnect_callbacks.add(restored)


class MongoWatch(ServerListener):
    """A pymongo listener: the server turning Unknown with an error is an outage,
    becoming writable again its end."""

    def __init__(self, dependency: Dependency) -> None:
        self.dependency = dependency

    def opened(self, event: ServerOpeningEvent) -> None:
        """Nothing to report when the client starts monitoring a server."""

    def description_changed(self, event: ServerDescriptionChangedEvent) -> None:
        """Report an outage or a recovery of the server."""
        new = event.new_description
        if new.is_writable:
            self.dependency.up()
        elif new.error is not None:
            self.dependency.down(describe(new.error))

    def closed(self, event: ServerClosedEvent) -> None:
        """Nothing to report when the client stops monitoring a server."""
