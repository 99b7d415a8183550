"""The dev stack's restart policy: growing delays for a service that keeps exiting soon
after it started, a fresh count once it ran for a while."""

from scripts.run_local import RestartPolicy


def test_each_quick_failure_doubles_the_delay_up_to_the_cap() -> None:
    policy = RestartPolicy(base_delay_s=1.0, max_delay_s=8.0)

    assert [policy.delay(n) for n in range(1, 7)] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_a_service_that_ran_long_enough_starts_counting_its_failures_afresh() -> None:
    policy = RestartPolicy(stable_after_s=60.0)

    assert policy.failures_after(quick_failures=3, ran_for_s=5.0) == 4
    assert policy.failures_after(quick_failures=3, ran_for_s=600.0) == 1
