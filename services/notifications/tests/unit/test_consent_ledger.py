from datetime import UTC, datetime, timedelta
from itertools import count

import pytest

from plussa_notifications.domain.consent import (
    ConsentSource,
    ContactPreferences,
    consented_at,
    current_consents,
)
from plussa_notifications.domain.errors import UnknownChainError

KNOWN = ["k-citymarket", "k-rauta", "k-market"]
T0 = datetime(2026, 11, 1, 12, tzinfo=UTC)


def ids() -> object:
    numbers = count(1)
    return lambda: f"entry-{next(numbers)}"


def change(prefs: ContactPreferences, choices: dict[str, bool], at: datetime = T0, **kw: object) -> list:
    return prefs.change(
        choices,
        known_chains=KNOWN,
        source=kw.get("source", ConsentSource.PORTAL),  # type: ignore[arg-type]
        wording_version="2026-11",
        at=at,
        new_id=ids(),  # type: ignore[arg-type]
    )


def test_a_consent_given_and_one_withdrawn_are_two_entries_with_time_source_and_wording() -> None:
    prefs = ContactPreferences("p1", {"k-rauta": True})

    entries = change(prefs, {"k-citymarket": True, "k-rauta": False})

    assert [(e.chain_id, e.consented, e.source, e.wording_version, e.at) for e in entries] == [
        ("k-citymarket", True, ConsentSource.PORTAL, "2026-11", T0),
        ("k-rauta", False, ConsentSource.PORTAL, "2026-11", T0),
    ]
    assert prefs.opted_in == ["k-citymarket"]
    assert prefs.version == 1
    assert [(e.data.model_dump()["chain_id"], e.data.model_dump()["consented"]) for e in prefs.recorded_events] == [
        ("k-citymarket", True),
        ("k-rauta", False),
    ]


def test_choosing_what_is_already_the_state_records_nothing_and_keeps_the_version() -> None:
    prefs = ContactPreferences("p1", {"k-citymarket": True}, version=3)

    assert change(prefs, {"k-citymarket": True, "k-rauta": False}) == []
    assert prefs.version == 3
    assert prefs.recorded_events == []


def test_an_unknown_chain_refuses_the_whole_change() -> None:
    prefs = ContactPreferences("p1")

    with pytest.raises(UnknownChainError) as refused:
        change(prefs, {"k-citymarket": True, "k-nowhere": True})

    assert refused.value.extras["chains"] == ["k-nowhere"]
    assert prefs.consents == {}
    assert prefs.changes == []


def test_the_current_state_is_the_fold_of_the_ledger_in_time_order() -> None:
    prefs = ContactPreferences("p1")
    ledger = change(prefs, {"k-citymarket": True}, T0)
    ledger += change(prefs, {"k-citymarket": False}, T0 + timedelta(days=1), source=ConsentSource.UNSUBSCRIBE_LINK)
    ledger += change(prefs, {"k-rauta": True}, T0 + timedelta(days=2))

    assert current_consents(reversed(ledger)) == {"k-citymarket": False, "k-rauta": True}
    assert current_consents(ledger) == prefs.consents


def test_consent_at_a_moment_is_what_the_ledger_said_then() -> None:
    prefs = ContactPreferences("p1")
    ledger = change(prefs, {"k-citymarket": True}, T0) + change(prefs, {"k-citymarket": False}, T0 + timedelta(hours=1))

    assert not consented_at(ledger, "k-citymarket", T0 - timedelta(seconds=1))
    assert consented_at(ledger, "k-citymarket", T0 + timedelta(minutes=30))
    assert not consented_at(ledger, "k-citymarket", T0 + timedelta(hours=2))


def test_marketing_goes_only_to_a_chain_whose_consent_stands() -> None:
    prefs = ContactPreferences("p1")
    change(prefs, {"k-citymarket": True, "k-rauta": False})

    assert prefs.may_receive_marketing("k-citymarket")
    assert not prefs.may_receive_marketing("k-rauta")
    assert not prefs.may_receive_marketing("k-market")
