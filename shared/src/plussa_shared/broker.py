"""The RabbitMQ connection: one robust connection per process, reconnecting by itself."""

import asyncio
from typing import cast

import aio_pika
import structlog
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection

from plussa_shared.outages import Dependency, describe, watch_connection

log = structlog.get_logger(__name__)


class Broker:
    """Owns the connection and the topic exchange all events travel through.

    ``start`` does not fail when the broker is down: it keeps trying in the
    background, so a service starts, reports not-ready, and catches up once the
    broker answers. The connection is ``connect_robust``: after an outage aio-pika
    restores it, its channels, and their consumers.
    """

    def __init__(
        self,
        url: str,
        exchange_name: str,
        *,
        retry_interval_s: float = 1.0,
        reconnect_interval_s: float = 2.0,
        outage: Dependency | None = None,
    ) -> None:
        self._url = url
        self.exchange_name = exchange_name
        self._retry_interval_s = retry_interval_s
        self._reconnect_interval_s = reconnect_interval_s
        self._connection: AbstractRobustConnection | None = None
        self._connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.outage = outage or Dependency("rabbitmq")
        self._closing = False
        """Where losing and regaining the broker is reported (once each)."""

    async def start(self) -> None:
        """Begin connecting in the background."""
        self._task = asyncio.create_task(self._connect_loop(), name="broker-connect")

    async def _connect_loop(self) -> None:
        while True:
            try:
                self._connection = await aio_pika.connect_robust(
                    self._url, timeout=10, reconnect_interval=self._reconnect_interval_s
                )
            except (TimeoutError, OSError, aio_pika.exceptions.AMQPError) as exc:
                self.outage.down(describe(exc))
                await asyncio.sleep(self._retry_interval_s)
                continue
            watch_connection(self._connection, self.outage, lambda: self._closing)
            self.outage.up()
            self._connected.set()
            log.info("broker_connected")
            return

    async def wait_connected(self, timeout: float | None = None) -> AbstractRobustConnection:
        """Wait until the first connection is made."""
        await asyncio.wait_for(self._connected.wait(), timeout)
        return cast(AbstractRobustConnection, self._connection)

    @property
    def is_ready(self) -> bool:
        """Whether the connection is open right now."""
        connection = self._connection
        return connection is not None and not connection.is_closed and connection.connected.is_set()

    async def channel(self, *, publisher_confirms: bool = True, prefetch: int | None = None) -> AbstractChannel:
        """A new channel on the connection, waiting until the connection is up.

        The channel is robust: after a reconnect aio-pika reopens it with its QoS,
        exchanges, queues, bindings and consumers. Close it when done with it.
        """
        connection = await self.wait_connected()
        # During an outage the robust connection exists but is down: wait for it
        # rather than fail, so callers need no retry loop of their own.
        await connection.connected.wait()
        channel = await connection.channel(publisher_confirms=publisher_confirms)
        if prefetch is not None:
            await channel.set_qos(prefetch_count=prefetch)
        return channel

    async def declare_exchange(self, channel: AbstractChannel, name: str | None = None) -> AbstractExchange:
        """The durable topic exchange ``name`` (default: the internal one), which must exist.

        Declared passively: exchanges are made by the broker's definitions (or the
        test fixtures), and a service's broker user may not configure them, so it can
        neither delete nor redefine an exchange others depend on.
        """
        return await channel.declare_exchange(
            name or self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True, passive=True
        )

    async def close(self) -> None:
        """Stop connecting and close the connection."""
        self._closing = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._connection is not None:
            await self._connection.close()
