from datetime import UTC, datetime, timedelta

from plussa_notifications.domain.messages import (
    Message,
    MessageKind,
    MessageStatus,
    RetryPolicy,
    recipient_address,
)

T0 = datetime(2026, 11, 30, 9, tzinfo=UTC)


def message() -> Message:
    return Message("m1", "p1", MessageKind.CARD_BLOCKED, "event-1", "fi", {}, T0, to="a@example.fi")


def test_a_new_message_is_queued_for_now() -> None:
    queued = message()

    assert queued.status is MessageStatus.QUEUED
    assert queued.next_attempt_at == T0


def test_a_message_the_server_asks_to_retry_waits_longer_each_time() -> None:
    waiting = message()
    policy = RetryPolicy(first=timedelta(seconds=5), factor=2, cap=timedelta(seconds=30), max_attempts=10)

    waits = []
    for attempt in range(5):
        at = T0 + timedelta(minutes=attempt)
        waiting.retry_later("451 later", at, policy)
        assert waiting.next_attempt_at is not None
        waits.append((waiting.next_attempt_at - at).total_seconds())

    assert waits == [5, 10, 20, 30, 30]
    assert waiting.status is MessageStatus.QUEUED
    assert waiting.reason == "451 later"


def test_a_message_fails_with_its_reason_once_the_retries_are_used_up() -> None:
    waiting = message()
    policy = RetryPolicy(max_attempts=2)

    waiting.retry_later("connection refused", T0, policy)
    waiting.retry_later("connection refused", T0, policy)

    assert waiting.status is MessageStatus.FAILED
    assert waiting.reason == "retries-exhausted: connection refused"
    [failed] = waiting.recorded_events
    assert failed.data.model_dump()["reason"] == "retries-exhausted: connection refused"
    assert failed.subject == "person/p1"


def test_a_sent_message_records_when_and_clears_its_last_error() -> None:
    sent = message()
    sent.retry_later("451 later", T0, RetryPolicy())
    sent.mark_sent(T0 + timedelta(minutes=1))

    assert sent.status is MessageStatus.SENT
    assert sent.sent_at == T0 + timedelta(minutes=1)
    assert sent.attempts == 2
    assert sent.reason is None
    assert [type(e.data).__name__ for e in sent.recorded_events] == ["MessageSent"]


def test_verification_and_reset_go_to_the_address_in_the_request_and_the_rest_only_to_a_verified_one() -> None:
    assert recipient_address(MessageKind.EMAIL_VERIFICATION, None, "new@example.fi") == "new@example.fi"
    assert recipient_address(MessageKind.PASSWORD_RESET, "old@example.fi", "old@example.fi") == "old@example.fi"
    assert recipient_address(MessageKind.CARD_BLOCKED, None, "x@example.fi") is None
    assert recipient_address(MessageKind.CARD_BLOCKED, "v@example.fi", None) == "v@example.fi"


def test_only_offers_and_newsletters_are_marketing() -> None:
    assert {k for k in MessageKind if k.is_marketing} == {
        MessageKind.OFFER,
        MessageKind.TARGETED_OFFER,
        MessageKind.NEWSLETTER,
    }
