"""Problem documents, settings defaults and log output, without any server."""

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog
from pydantic import SecretStr

from plussa_shared.errors import (
    PROBLEM_BASE,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ProblemError,
    TooManyRequestsError,
    UnauthorizedError,
    ValidationFailedError,
)
from plussa_shared.logging import configure_logging
from plussa_shared.settings import ServiceSettings


class CardBlockedError(ConflictError):
    slug = "card-blocked"
    title = "The card is blocked"


def test_a_problem_renders_as_rfc_9457_with_its_extension_members() -> None:
    error = CardBlockedError("Card c1 was blocked on 2026-03-01", card_id="c1")
    assert error.to_problem(instance="/v1/cards/c1") == {
        "type": PROBLEM_BASE + "card-blocked",
        "title": "The card is blocked",
        "status": 409,
        "detail": "Card c1 was blocked on 2026-03-01",
        "instance": "/v1/cards/c1",
        "card_id": "c1",
    }


def test_a_problem_without_detail_repeats_its_title_and_may_override_its_slug() -> None:
    error = NotFoundError(slug="card-not-found")
    assert error.to_problem() == {
        "type": PROBLEM_BASE + "card-not-found",
        "title": "Not found",
        "status": 404,
        "detail": "Not found",
    }
    assert str(error) == "Not found"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ProblemError(), 400),
        (UnauthorizedError(), 401),
        (ForbiddenError(), 403),
        (NotFoundError(), 404),
        (ConflictError(), 409),
        (ValidationFailedError(), 422),
        (TooManyRequestsError(retry_after=30), 429),
    ],
)
def test_each_problem_class_carries_its_status(error: ProblemError, status: int) -> None:
    assert error.to_problem()["status"] == status == error.status


def test_settings_default_to_a_local_stack_and_keep_the_broker_password_secret() -> None:
    settings = ServiceSettings()
    assert settings.environment == "development"
    assert settings.log_format == "json"
    assert str(settings.mongo_url).startswith("mongodb://127.0.0.1:27017")
    assert isinstance(settings.amqp_url, SecretStr)
    assert "guest:guest" not in repr(settings)
    assert settings.consumer_retry_delays_ms == sorted(settings.consumer_retry_delays_ms)
    assert settings.event_source == "/plussa/plussa"


def test_settings_read_the_environment_with_the_service_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    class CardsSettings(ServiceSettings):
        model_config = {"env_prefix": "PLUSSA_CARDS_", "extra": "ignore"}
        service_name: str = "cards"

    monkeypatch.setenv("PLUSSA_CARDS_PORT", "8082")
    monkeypatch.setenv("PLUSSA_CARDS_CONSUMER_RETRY_DELAYS_MS", "[5, 50]")
    settings = CardsSettings()
    assert settings.port == 8082
    assert settings.consumer_retry_delays_ms == [5, 50]


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    yield stream
    structlog.reset_defaults()
    logging.getLogger().handlers.clear()
    structlog.contextvars.clear_contextvars()


def test_production_logs_are_one_json_object_per_line_with_the_bound_context(log_stream: io.StringIO) -> None:
    configure_logging("json", "INFO", stream=log_stream, cache_loggers=False)
    structlog.contextvars.bind_contextvars(request_id="req-1")
    structlog.get_logger("test").info("card_blocked", card_id="c1")
    structlog.get_logger("test").debug("too_detailed")
    logging.getLogger("aio_pika.robust_connection").warning("Connection lost")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        structlog.get_logger("test").exception("handler_failed")

    lines = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    assert [line["event"] for line in lines] == ["card_blocked", "Connection lost", "handler_failed"]
    assert lines[0]["request_id"] == "req-1"
    assert lines[0]["card_id"] == "c1"
    assert lines[0]["level"] == "info"
    assert lines[0]["timestamp"].endswith("Z")
    assert lines[1]["logger"] == "aio_pika.robust_connection"
    assert lines[1]["level"] == "warning"
    assert "RuntimeError: boom" in lines[2]["exception"]


def test_terminal_logs_are_readable_lines_not_json(log_stream: io.StringIO) -> None:
    configure_logging("console", "INFO", stream=log_stream, cache_loggers=False)
    structlog.get_logger("test").info("card_blocked", card_id="c1")
    line = log_stream.getvalue().strip()
    assert "card_blocked" in line
    assert "card_id=c1" in line
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)
