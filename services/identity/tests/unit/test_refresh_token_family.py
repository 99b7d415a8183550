from datetime import UTC, datetime, timedelta

import pytest

from plussa_identity.domain.errors import InvalidRefreshTokenError
from plussa_identity.domain.login_session import REUSE_REASON, LoginSession, SessionPolicy, on_spent_token

POLICY = SessionPolicy(idle=timedelta(days=14), max_age=timedelta(days=30))
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def started() -> LoginSession:
    return LoginSession.start(session_id="s1", person_id="p1", token_hash="h0", now=T0, policy=POLICY)


def test_using_the_current_token_hands_out_a_new_one_and_extends_the_session() -> None:
    later = T0 + timedelta(days=1)
    rotated = started().rotated("h0", "h1", later, POLICY)
    assert rotated.token_hash == "h1"
    assert rotated.generation == 1
    assert rotated.expires_at == later + timedelta(days=14)


def test_the_previous_token_no_longer_rotates() -> None:
    rotated = started().rotated("h0", "h1", T0, POLICY)
    with pytest.raises(InvalidRefreshTokenError):
        rotated.rotated("h0", "h2", T0, POLICY)


def test_reuse_of_a_spent_token_ends_the_whole_family_so_the_current_token_fails_too() -> None:
    rotated = started().rotated("h0", "h1", T0, POLICY)
    ended, event = on_spent_token(rotated, T0 + timedelta(minutes=1), POLICY)
    assert ended.revoked_reason == REUSE_REASON
    assert event is not None
    assert (event.session_id, event.reason) == ("s1", REUSE_REASON)
    assert not ended.is_active(T0 + timedelta(minutes=1))
    with pytest.raises(InvalidRefreshTokenError):
        ended.rotated("h1", "h2", T0 + timedelta(minutes=2), POLICY)


def test_an_idle_session_expires() -> None:
    with pytest.raises(InvalidRefreshTokenError):
        started().rotated("h0", "h1", T0 + timedelta(days=15), POLICY)


def test_refreshing_never_extends_a_session_past_its_maximum_age() -> None:
    session = started()
    for day in (10, 20, 28):
        session = session.rotated(session.token_hash, f"h{day}", T0 + timedelta(days=day), POLICY)
    assert session.expires_at == T0 + timedelta(days=30)


def test_an_ended_session_keeps_the_reason_it_first_ended_for() -> None:
    ended = started().revoked(T0, "logout")
    again, event = on_spent_token(ended, T0 + timedelta(minutes=1), POLICY)
    assert again.revoked_reason == "logout"
    assert event is None  # it was announced when it first ended


def test_an_ended_session_is_announced_until_its_last_access_token_expires() -> None:
    rotated = started().rotated("h0", "h1", T0 + timedelta(minutes=3), POLICY)
    ended, event = rotated.end(T0 + timedelta(minutes=4), "logout", POLICY)
    assert event is not None
    assert event.expires_at == T0 + timedelta(minutes=3) + POLICY.access_ttl
    assert event.occurred_at == T0 + timedelta(minutes=4)
    assert ended.ended_event(POLICY, event.expires_at) is None  # its tokens are dead anyway
