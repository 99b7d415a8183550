"""`make run`'s dev stack starts all six services on real MongoDB and RabbitMQ and
stops everything it started on Ctrl-C or SIGTERM. It runs on its own ports, data directory,
exchange and queue names, so it does not disturb a developer's running stack."""

import signal
from pathlib import Path

import pytest

from tests.dev_stack_process import SERVICES, DevStackProcess, answers

READY_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 60.0

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_the_dev_stack_serves_all_six_services_and_stops_everything_it_started_on_a_stop_signal(
    tmp_path: Path, amqp_url: str, signum: signal.Signals
) -> None:
    stack = DevStackProcess(tmp_path / "mongo", amqp_url, seed=False)
    try:
        stack.start()
        stack.wait_ready(READY_TIMEOUT_S)
        commands = " ".join(stack.started.values())
        assert "mongod" in commands
        assert all(f"plussa_{service}" in commands for service in SERVICES), stack.started

        code = stack.interrupt(STOP_TIMEOUT_S, signum)

        assert code == 0, stack.output
        assert "Stopped." in stack.output
        assert stack.left_running() == []
        assert [port for port in [*stack.ports.values(), stack.mongo_port] if answers(port)] == []
    finally:
        stack.kill_leftovers()
        stack.delete_broker_objects()
