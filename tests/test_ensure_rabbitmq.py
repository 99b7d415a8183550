"""`make run` and `make test` check RabbitMQ before they need it: a broker that answers
is used as it is; one on another machine that does not answer is reported with its
address, and nothing is started or installed for it."""

import pytest

from scripts.ensure_rabbitmq import RabbitMqUnavailableError, ensure_rabbitmq, host_and_port


def test_a_broker_that_answers_is_used_as_it_is(amqp_url: str) -> None:
    ensure_rabbitmq(amqp_url, timeout_s=5)


def test_a_broker_on_another_machine_that_does_not_answer_is_reported_with_its_address() -> None:
    # 192.0.2.0/24 is reserved for documentation: nothing answers there.
    with pytest.raises(RabbitMqUnavailableError, match=r"192\.0\.2\.1:5673"):
        ensure_rabbitmq("amqp://guest:guest@192.0.2.1:5673/", timeout_s=1)


def test_the_port_defaults_to_the_amqp_standard_port_when_the_url_names_none() -> None:
    assert host_and_port("amqp://guest:guest@rabbit.internal/") == ("rabbit.internal", 5672)
    assert host_and_port("amqp://guest:guest@127.0.0.1:5673/plussa") == ("127.0.0.1", 5673)
