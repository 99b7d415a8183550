from datetime import timedelta

from plussa_benefits.domain.features import KEEP_MONTHS, PersonFeatures

from .builders import HELSINKI, NOW, line, purchase


def test_spend_is_counted_per_category_and_per_chain_in_the_purchase_month() -> None:
    features = PersonFeatures("aino")
    features.add_purchase(purchase(line("1", 1_000), line("2", 500, "fuel"), chain="k-market"), HELSINKI)

    assert features.category_spend == {"grocery": {"2026-03": 1_000}, "fuel": {"2026-03": 500}}
    assert features.chain_spend == {"k-market": {"2026-03": 1_500}}
    assert features.spend(NOW, HELSINKI, 1, None, None) == 1_500


def test_a_purchase_late_on_the_last_evening_counts_in_the_next_month_in_helsinki() -> None:
    features = PersonFeatures("aino")
    at = NOW.replace(month=2, day=28, hour=22, minute=30)  # 00:30 on 1 March in Helsinki
    features.add_purchase(purchase(line("1", 1_000), at=at), HELSINKI)

    assert features.purchase_counts == {"2026-03": 1}


def test_buckets_older_than_the_longest_window_are_dropped() -> None:
    features = PersonFeatures("aino")
    features.add_purchase(purchase(line("1", 1_000), at=NOW - timedelta(days=400)), HELSINKI)
    features.add_purchase(purchase(line("1", 2_000), purchase_id="p2"), HELSINKI)

    assert list(features.category_spend["grocery"]) == ["2026-03"]
    assert len(features.purchase_counts) <= KEEP_MONTHS


def test_a_return_takes_its_cents_off_the_purchase_month_but_never_below_zero() -> None:
    features = PersonFeatures("aino")
    bought = purchase(line("1", 1_000), line("2", 800, "home"))
    features.add_purchase(bought, HELSINKI)

    features.add_return(bought, {"1": 400, "2": 5_000}, HELSINKI)

    assert features.spend(NOW, HELSINKI, 1, "grocery", None) == 600
    assert features.spend(NOW, HELSINKI, 1, "home", None) == 0
    assert features.spend(NOW, HELSINKI, 1, None, "k-citymarket") == 600


def test_stores_visited_are_remembered_with_the_month_of_the_last_visit() -> None:
    features = PersonFeatures("aino")
    features.add_purchase(purchase(line("1", 100), store="kallio", at=NOW - timedelta(days=100)), HELSINKI)
    features.add_purchase(purchase(line("1", 100), store="espoo", purchase_id="p2"), HELSINKI)

    assert features.visited(NOW, HELSINKI, 1) == {"espoo"}
    assert features.visited(NOW, HELSINKI, 6) == {"espoo", "kallio"}
