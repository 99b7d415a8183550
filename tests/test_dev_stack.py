"""`make run`'s dev stack starts all six services on real MongoDB and RabbitMQ and
stops everything it started on Ctrl-C or SIGTERM. It runs on its own ports, data directory,
exchange and queue names, so it does not disturb a developer's running stack. It also
stops when `make run`'s make alone is signalled, and restarts a service that dies."""

import os
import signal
import subprocess
from pathlib import Path

import pytest

from plussa_shared import bus_access
from tests.dev_stack_process import SERVICES, DevStackProcess, answers, children_of

READY_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 60.0

pytestmark = pytest.mark.slow


def broker_users() -> set[str]:
    """The users of the local broker."""
    ctl = bus_access.rabbitmqctl()
    assert ctl is not None
    listed = subprocess.run([ctl, "-q", "list_users"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    return {line.split()[0] for line in listed.splitlines() if line.strip() and not line.startswith("user")}


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
        own_users = {f"plussa-dev-{stack.ports['identity']}-{service}" for service in SERVICES}
        assert own_users <= broker_users(), "each service connects as its own broker user"

        code = stack.interrupt(STOP_TIMEOUT_S, signum)

        assert code == 0, stack.output
        assert own_users & broker_users() == set()
        assert "Stopped." in stack.output
        assert stack.left_running() == []
        assert [port for port in [*stack.ports.values(), stack.mongo_port] if answers(port)] == []
    finally:
        stack.kill_leftovers()
        stack.delete_broker_objects()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_make_run_stops_everything_when_make_alone_receives_a_stop_signal(
    tmp_path: Path, amqp_url: str, signum: signal.Signals
) -> None:
    stack = DevStackProcess(tmp_path / "mongo", amqp_url, seed=False, via_make=True)
    try:
        stack.start()
        stack.wait_ready(READY_TIMEOUT_S)
        assert "mongod" in " ".join(stack.started.values())

        code = stack.interrupt(STOP_TIMEOUT_S, signum)  # to make's pid only, as a process manager would

        assert code in (0, -signum), stack.output  # make ends as its signal says
        assert "Stopped." in stack.output
        assert stack.left_running() == []
        assert [port for port in [*stack.ports.values(), stack.mongo_port] if answers(port)] == []
    finally:
        stack.kill_leftovers()
        stack.delete_broker_objects()


def test_a_service_that_dies_is_restarted_with_a_clear_line_and_given_up_loudly_when_it_keeps_dying(
    tmp_path: Path, amqp_url: str
) -> None:
    stack = DevStackProcess(tmp_path / "mongo", amqp_url, seed=False, extra_args=("--max-restarts=1",))
    try:
        stack.start()
        stack.wait_ready(READY_TIMEOUT_S)

        os.kill(stack.service_pid("points"), signal.SIGKILL)
        stack.wait_for_output("points exited with code -9; restarting in 1 s (restart 1)", timeout_s=10)
        stack.wait_ready(READY_TIMEOUT_S)  # points answers again on its port
        stack.started.update(children_of(stack.runner_pid()))
        os.kill(stack.service_pid("points"), signal.SIGKILL)  # soon after its restart: a second quick failure

        code = stack.process.wait(timeout=STOP_TIMEOUT_S) if stack.process else None
        assert code == 1, stack.output
        assert "error: points exited with code -9, failing again soon after 1 restart(s); giving up" in stack.output
        assert "Stopped." in stack.output
        assert stack.left_running() == []
        assert [port for port in [*stack.ports.values(), stack.mongo_port] if answers(port)] == []
    finally:
        stack.kill_leftovers()
        stack.delete_broker_objects()
