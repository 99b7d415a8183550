from datetime import UTC, datetime, timedelta

from plussa_identity.domain.throttle import ThrottlePolicy, ThrottleState

POLICY = ThrottlePolicy(
    free_failures=3, base=timedelta(seconds=30), maximum=timedelta(minutes=5), forget_after=timedelta(hours=1)
)
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def failures(count: int, start: datetime = T0, state: ThrottleState | None = None) -> ThrottleState:
    state = state or ThrottleState()
    for i in range(count):
        state = state.after_failure(POLICY, start + timedelta(seconds=i))
    return state


def test_the_free_failures_do_not_lock() -> None:
    assert failures(3).retry_after(T0 + timedelta(seconds=3)) is None


def test_the_first_failure_past_the_free_ones_locks_for_the_base_window() -> None:
    state = failures(4)
    assert state.retry_after(T0 + timedelta(seconds=3)) == timedelta(seconds=30)


def test_each_further_failure_doubles_the_window() -> None:
    state = failures(6)
    assert state.locked_until == T0 + timedelta(seconds=5) + timedelta(seconds=120)


def test_the_window_never_grows_past_the_maximum() -> None:
    state = failures(40)
    assert state.retry_after(T0 + timedelta(seconds=39)) == timedelta(minutes=5)


def test_a_lock_expires_by_itself() -> None:
    state = failures(40)
    assert state.retry_after(T0 + timedelta(seconds=39) + timedelta(minutes=5)) is None


def test_a_streak_is_forgotten_after_a_quiet_hour() -> None:
    state = failures(5)
    later = T0 + timedelta(hours=2)
    state = state.after_failure(POLICY, later)
    assert state.failures == 1
    assert state.retry_after(later) is None


def test_the_store_may_forget_the_state_once_lock_and_streak_are_over() -> None:
    state = failures(4)
    assert state.forgotten_at(POLICY) == T0 + timedelta(seconds=3) + timedelta(hours=1)
    assert ThrottleState().forgotten_at(POLICY) is None


def test_checks_under_way_may_use_only_the_free_failures_left_in_the_streak() -> None:
    fresh = ThrottleState()
    assert fresh.admits(3, POLICY, T0) is None
    assert fresh.admits(4, POLICY, T0) == timedelta(seconds=1)
    assert failures(2).admits(2, POLICY, T0 + timedelta(seconds=2)) == timedelta(seconds=1)


def test_with_the_free_failures_used_up_one_check_at_a_time_may_run_and_none_while_locked() -> None:
    used_up = failures(3)
    assert used_up.admits(1, POLICY, T0 + timedelta(seconds=3)) is None
    assert used_up.admits(2, POLICY, T0 + timedelta(seconds=3)) is not None
    assert failures(4).admits(1, POLICY, T0 + timedelta(seconds=4)) == timedelta(seconds=29)
