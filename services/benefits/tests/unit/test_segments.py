from datetime import timedelta
from typing import Any

import pytest

from plussa_benefits.domain.errors import InvalidSegmentRuleError
from plussa_benefits.domain.features import PersonFeatures
from plussa_benefits.domain.segments import Segment, matches, parse_rule

from .builders import HELSINKI, NOW, line, purchase

GROCERY_FAN = {"feature": "spend_cents", "months": 3, "category": "grocery", "op": ">=", "value": 10_000}


def person(**changes: Any) -> PersonFeatures:
    features = PersonFeatures("aino", "hh-1", role="main", language="sv")
    for name, value in changes.items():
        setattr(features, name, value)
    return features


def in_segment(rule: Any, features: PersonFeatures) -> bool:
    return matches(parse_rule(rule), features, NOW, HELSINKI)


def test_a_spend_rule_matches_once_purchases_reach_the_threshold() -> None:
    features = person()
    features.add_purchase(purchase(line("1", 6_000)), HELSINKI)
    assert not in_segment(GROCERY_FAN, features)

    features.add_purchase(purchase(line("1", 4_000), purchase_id="p2"), HELSINKI)
    assert in_segment(GROCERY_FAN, features)


def test_all_any_and_not_combine_rules() -> None:
    features = person(status="best_customer")
    features.add_purchase(purchase(line("1", 20_000)), HELSINKI)
    best = {"feature": "status", "op": "==", "value": "best_customer"}
    parallel = {"feature": "household_role", "op": "==", "value": "parallel"}

    assert in_segment({"all": [GROCERY_FAN, best]}, features)
    assert not in_segment({"all": [GROCERY_FAN, parallel]}, features)
    assert in_segment({"any": [parallel, best]}, features)
    assert in_segment({"not": parallel}, features)
    assert in_segment({"everyone": True}, features)


def test_language_chain_count_and_store_rules_read_their_features() -> None:
    features = person()
    features.add_purchase(purchase(line("1", 3_000), store="kallio", chain="k-market"), HELSINKI)

    assert in_segment({"feature": "language", "op": "in", "value": ["sv", "en"]}, features)
    assert in_segment(
        {"feature": "spend_cents", "months": 1, "chain": "k-market", "op": "==", "value": 3_000}, features
    )
    assert in_segment({"feature": "purchase_count", "months": 1, "op": ">", "value": 0}, features)
    assert in_segment({"feature": "visited_store", "months": 1, "store_id": "kallio"}, features)
    assert not in_segment({"feature": "visited_store", "months": 1, "store_id": "espoo"}, features)


def test_a_stored_rule_reads_back_as_the_same_rule() -> None:
    rule = parse_rule({"all": [GROCERY_FAN, {"not": {"feature": "status", "op": "==", "value": "regular"}}]})
    segment = Segment("s", "k-citymarket", "Grocery fans", rule)

    assert parse_rule(segment.rule_data()) == rule
    assert segment.rule_data()["all"][0] == GROCERY_FAN


@pytest.mark.parametrize(
    ("raw", "pointer", "code"),
    [
        ({"all": []}, "/rule/all", "too_short"),
        ({"maybe": [GROCERY_FAN]}, "/rule", "unknown_rule"),
        ("everyone", "/rule", "unknown_rule"),
        ({"feature": "shoe_size", "op": ">", "value": 40}, "/rule", "union_tag_invalid"),
        ({"any": [{"feature": "status", "op": "==", "value": "gold"}]}, "/rule/any/0/value", "literal_error"),
        ({"not": {**GROCERY_FAN, "months": "3"}}, "/rule/not/months", "int_type"),
        ({**GROCERY_FAN, "months": 24}, "/rule/months", "less_than_equal"),
        ({**GROCERY_FAN, "colour": "red"}, "/rule/colour", "extra_forbidden"),
        ({**GROCERY_FAN, "category": "cars"}, "/rule", "value_error"),
    ],
)
def test_a_rule_that_does_not_parse_is_refused_with_where_and_why(raw: Any, pointer: str, code: str) -> None:
    with pytest.raises(InvalidSegmentRuleError) as caught:
        parse_rule(raw)

    found = [(e["pointer"], e["code"]) for e in caught.value.extras["errors"]]
    assert (pointer, code) in found
    assert all(e["detail"] for e in caught.value.extras["errors"])  # each says why, as the problem shape requires
    assert caught.value.slug == "invalid-segment-rule"


def test_a_rule_nested_too_deep_is_refused() -> None:
    rule: dict[str, Any] = {"everyone": True}
    for _ in range(7):
        rule = {"not": rule}

    with pytest.raises(InvalidSegmentRuleError, match="too large"):
        parse_rule(rule)


def test_spend_windows_roll_with_the_months_without_new_purchases() -> None:
    features = person()
    features.add_purchase(purchase(line("1", 12_000), at=NOW - timedelta(days=40)), HELSINKI)

    assert matches(parse_rule(GROCERY_FAN), features, NOW, HELSINKI)
    assert not matches(parse_rule(GROCERY_FAN), features, NOW + timedelta(days=60), HELSINKI)


def test_a_compiled_rule_answers_as_the_rule_tree_does() -> None:
    rules: list[Any] = [
        {"all": [GROCERY_FAN, {"not": {"feature": "status", "op": "==", "value": "best_customer"}}]},
        {"any": [{"feature": "visited_store", "months": 2, "store_id": "kallio"}, {"everyone": True}]},
        {"any": [{"feature": "visited_store", "months": 2, "store_id": "kallio"}, {"not": {"everyone": True}}]},
        {"feature": "purchase_count", "months": 1, "op": ">=", "value": 2},
        {"feature": "language", "op": "in", "value": ["sv"]},
        {"feature": "household_role", "op": "!=", "value": "main"},
    ]
    people = [person(), person(status="best_customer")]
    people[0].add_purchase(purchase(line("1", 12_000), store="kallio"), HELSINKI)
    people[1].add_purchase(purchase(line("1", 100)), HELSINKI)

    for raw in rules:
        segment = Segment("s", "k-citymarket", "S", parse_rule(raw))
        for someone in people:
            assert segment.test(someone, NOW, HELSINKI) == matches(segment.rule, someone, NOW, HELSINKI)
    assert Segment("s", "c", "S", parse_rule(rules[0])).test(people[0], NOW, HELSINKI) is True
    either = Segment("s", "c", "S", parse_rule(rules[2]))
    assert [either.test(someone, NOW, HELSINKI) for someone in people] == [True, False]
