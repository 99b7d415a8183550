"""`make run` and `make test` check RabbitMQ before they need it: a broker that answers
is used as it is; one at an address the script does not manage that does not answer is
reported with its address, and nothing is started or installed for it."""

import socket

import pytest

from scripts.ensure_rabbitmq import RabbitMqUnavailableError, ensure_rabbitmq, host_and_port


def test_a_broker_that_answers_is_used_as_it_is(amqp_url: str) -> None:
    ensure_rabbitmq(amqp_url, timeout_s=5)


def test_a_broker_at_an_address_not_managed_here_that_does_not_answer_is_reported_with_its_address() -> None:
    # 127.0.0.2 is loopback (the test sends nothing off this machine) but not one of the
    # local names the script starts a broker for; the port is one nothing listens on.
    with socket.socket() as sock:
        sock.bind(("127.0.0.2", 0))
        port = sock.getsockname()[1]
    with pytest.raises(RabbitMqUnavailableError, match=rf"127\.0\.0\.2:{port}"):
        ensure_rabbitmq(f"amqp://guest:guest@127.0.0.2:{port}/", timeout_s=1)


def test_the_port_defaults_to_the_amqp_standard_port_when_the_url_names_none() -> None:
    assert host_and_port("amqp://guest:guest@rabbit.internal/") == ("rabbit.internal", 5672)
    assert host_and_port("amqp://guest:guest@127.0.0.1:5673/plussa") == ("127.0.0.1", 5673)
