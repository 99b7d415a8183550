from datetime import UTC, datetime, timedelta

import pytest

from plussa_identity.domain.privacy import PrivacyRequest

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def request(kind: str = "export") -> PrivacyRequest:
    return PrivacyRequest("r1", kind, "p1", "h1", T0, ("identity", "cards", "points"))  # type: ignore[arg-type]


def test_a_request_is_complete_only_when_every_participant_has_answered() -> None:
    progress = request().answered("identity", T0, {"a": 1}).answered("cards", T0, {"b": 2})
    assert progress.pending == ["points"]
    assert progress.completed_at is None
    done = progress.answered("points", T0 + timedelta(seconds=5), {"c": 3})
    assert done.completed_at == T0 + timedelta(seconds=5)
    assert done.export_document() == {"identity": {"a": 1}, "cards": {"b": 2}, "points": {"c": 3}}


def test_a_repeated_answer_changes_nothing() -> None:
    first = request().answered("cards", T0, {"b": 2})
    assert first.answered("cards", T0 + timedelta(hours=1), {"b": 99}) == first


def test_an_answer_from_a_service_not_asked_is_refused() -> None:
    with pytest.raises(ValueError, match="receipts"):
        request().answered("receipts", T0)


def test_identity_erases_last_once_all_others_have_answered() -> None:
    erasure = request("erasure").answered("cards", T0)
    assert not erasure.others_done
    assert erasure.answered("points", T0).others_done
