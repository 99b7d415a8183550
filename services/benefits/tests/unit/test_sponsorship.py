from datetime import timedelta

import pytest

from plussa_benefits.domain.errors import (
    InvalidProgrammeError,
    MonthClosedError,
    MonthNotEndedError,
    NoSponsorshipError,
    NotJoinedError,
    UnknownCauseError,
)
from plussa_benefits.domain.sponsorship import (
    Cause,
    Membership,
    MonthTotals,
    Programme,
    accrue,
    previous_month,
    require_programme,
)

from .builders import HELSINKI, NOW, line, purchase, texts

EXCLUDED = frozenset({"alcohol", "tobacco", "deposit", "betting", "gift_card"})
SCOUTS = Cause("scouts", texts("Scouts"))
FOOTBALL = Cause("football", texts("Football"))


def programme(**changes: object) -> Programme:
    made = Programme("store-1", (SCOUTS, FOOTBALL))
    for name, value in changes.items():
        setattr(made, name, value)
    made.check()
    return made


def test_a_programme_needs_causes_and_a_sensible_share() -> None:
    with pytest.raises(InvalidProgrammeError):
        programme(causes=())
    with pytest.raises(InvalidProgrammeError):
        programme(causes=(SCOUTS, SCOUTS))
    with pytest.raises(InvalidProgrammeError):
        programme(share_basis_points=0)
    with pytest.raises(InvalidProgrammeError):
        programme(share_basis_points=2_001)
    assert programme().share_basis_points == 100


def test_joining_needs_a_programme_and_one_of_its_causes() -> None:
    with pytest.raises(NoSponsorshipError):
        require_programme(None)
    with pytest.raises(NoSponsorshipError):
        require_programme(programme(active=False))
    with pytest.raises(UnknownCauseError):
        Membership.join(programme(), "aino", "chess", NOW)


def test_the_default_share_of_eligible_spend_goes_to_the_joined_cause() -> None:
    member = Membership.join(programme(), "aino", "scouts", NOW - timedelta(days=1))
    bought = purchase(line("1", 10_050), line("2", 4_000, "alcohol"))

    accrual = accrue(programme(), member, bought, set(), NOW, HELSINKI, EXCLUDED)

    assert accrual is not None
    assert (accrual.cause_id, accrual.month, accrual.eligible_cents, accrual.cents) == (
        "scouts",
        "2026-03",
        10_050,
        100,
    )


def test_purchases_before_the_join_or_in_another_store_accrue_nothing() -> None:
    member = Membership.join(programme(), "aino", "scouts", NOW)

    before = purchase(line("1", 10_000), at=NOW - timedelta(minutes=1))
    elsewhere = purchase(line("1", 10_000), store="store-2")
    assert accrue(programme(), member, before, set(), NOW, HELSINKI, EXCLUDED) is None
    assert accrue(programme(), member, elsewhere, set(), NOW, HELSINKI, EXCLUDED) is None


def test_switching_moves_later_purchases_to_the_new_cause_and_leaving_stops_them() -> None:
    member = Membership.join(programme(), "aino", "scouts", NOW - timedelta(days=2))

    assert member.switch(programme(), "football", NOW - timedelta(days=1)) == "scouts"
    accrual = accrue(programme(), member, purchase(line("1", 5_000)), set(), NOW, HELSINKI, EXCLUDED)
    assert accrual is not None
    assert accrual.cause_id == "football"

    assert member.leave() == "football"
    assert accrue(programme(), member, purchase(line("1", 5_000)), set(), NOW, HELSINKI, EXCLUDED) is None
    with pytest.raises(NotJoinedError):
        member.leave()


def test_a_share_of_a_closed_month_counts_in_the_month_it_arrives() -> None:
    member = Membership.join(programme(), "aino", "scouts", NOW - timedelta(days=40))
    late = purchase(line("1", 10_000), at=NOW - timedelta(days=20))

    accrual = accrue(programme(), member, late, {"2026-02"}, NOW, HELSINKI, EXCLUDED)

    assert accrual is not None
    assert accrual.month == "2026-03"


def test_a_month_closes_once_and_only_after_it_ended() -> None:
    totals = MonthTotals("store-1", "2026-03", {"scouts": 100})

    with pytest.raises(MonthNotEndedError):
        totals.close(NOW, HELSINKI)
    totals.close(NOW + timedelta(days=30), HELSINKI)
    with pytest.raises(MonthClosedError):
        totals.close(NOW + timedelta(days=31), HELSINKI)
    assert previous_month(NOW, HELSINKI) == "2026-02"
