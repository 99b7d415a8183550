from datetime import UTC, datetime, timedelta

import pytest

from plussa_identity.domain.errors import HandOverFirstError
from plussa_identity.domain.members import MemberView
from plussa_identity.domain.privacy import PrivacyRequest, Refusal, require_erasable

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


def member(role: str | None, household_id: str | None = "h1") -> MemberView:
    return MemberView(person_id="p1", household_id=household_id, role=role)  # type: ignore[arg-type]


def test_a_refused_erasure_never_completes_nor_lets_identity_erase_the_login() -> None:
    refused = request("erasure").refused("cards", "hand-over-first", T0)
    assert refused.status == "refused"
    assert refused.refusal == Refusal("cards", "hand-over-first", T0)
    answered = refused.answered("points", T0)
    assert not answered.others_done
    assert answered.answered("identity", T0).completed_at is None
    assert answered.refused("points", "other", T0).refusal == refused.refusal  # the first refusal stays


def test_a_main_holder_with_parallel_holders_must_hand_over_or_close_the_household() -> None:
    with pytest.raises(HandOverFirstError) as refused:
        require_erasable(member("main"), 2, close_household=False)
    assert refused.value.extras == {"parallel_holders": 2}
    assert "close_household" in refused.value.detail
    require_erasable(member("main"), 2, close_household=True)
    require_erasable(member("main"), 0, close_household=False)
    require_erasable(member("parallel"), 2, close_household=False)
    require_erasable(member("main", household_id=None), 2, close_household=False)
    require_erasable(None, 0, close_household=False)
