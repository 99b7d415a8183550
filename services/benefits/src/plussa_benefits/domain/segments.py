"""Segments: a declarative rule over a person's features, stored as data.

A rule is a small JSON tree::

    {"all": [rule, ...]}   {"any": [rule, ...]}   {"not": rule}   {"everyone": true}
    {"feature": "spend_cents", "months": 3, "category": "grocery", "op": ">=", "value": 20000}
    {"feature": "spend_cents", "months": 12, "chain": "k-citymarket", "op": ">=", "value": 100000}
    {"feature": "purchase_count", "months": 1, "op": ">=", "value": 4}
    {"feature": "visited_store", "months": 6, "store_id": "k-market-kallio"}
    {"feature": "household_role", "op": "==", "value": "main"}
    {"feature": "status", "op": "==", "value": "best_customer"}
    {"feature": "language", "op": "in", "value": ["sv"]}

It is parsed once on input (anything else is refused with where and why) and
evaluated by plain code; the parsed tree keeps the JSON it came from for storage.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, model_validator

from plussa_benefits.domain.calendar import CATEGORIES
from plussa_benefits.domain.errors import InvalidSegmentRuleError
from plussa_benefits.domain.features import PersonFeatures

MAX_NODES = 64
MAX_DEPTH = 6
ID = r"^[A-Za-z0-9_.\-]{1,100}$"

NumericOp = Literal[">=", ">", "<=", "<", "==", "!="]
Months = Annotated[int, Field(ge=1, le=12)]


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Spend(_Node):
    feature: Literal["spend_cents"]
    months: Months
    category: str | None = None
    chain: Annotated[str, Field(pattern=ID)] | None = None
    op: NumericOp
    value: Annotated[int, Field(ge=0, le=100_000_000)]

    @model_validator(mode="after")
    def _one_scope(self) -> "Spend":
        if self.category is not None and self.chain is not None:
            raise ValueError("name a category or a chain, not both")
        if self.category is not None and self.category not in CATEGORIES:
            raise ValueError(f"unknown category {self.category!r}")
        return self


class PurchaseCount(_Node):
    feature: Literal["purchase_count"]
    months: Months
    op: NumericOp
    value: Annotated[int, Field(ge=0, le=100_000)]


class VisitedStore(_Node):
    feature: Literal["visited_store"]
    months: Months
    store_id: Annotated[str, Field(pattern=ID)]


class HouseholdRole(_Node):
    feature: Literal["household_role"]
    op: Literal["==", "!="]
    value: Literal["main", "parallel"]


class Status(_Node):
    feature: Literal["status"]
    op: Literal["==", "!="]
    value: Literal["best_customer", "regular"]


class Language(_Node):
    feature: Literal["language"]
    op: Literal["in"]
    value: Annotated[list[Literal["fi", "sv", "en"]], Field(min_length=1, max_length=3)]


Condition = Annotated[
    Spend | PurchaseCount | VisitedStore | HouseholdRole | Status | Language, Field(discriminator="feature")
]


class Everyone(_Node):
    everyone: Literal[True]


class AllOf(_Node):
    all: Annotated[list["Rule"], Field(min_length=1, max_length=20)]


class AnyOf(_Node):
    any: Annotated[list["Rule"], Field(min_length=1, max_length=20)]


class Not(_Node):
    not_: "Rule" = Field(alias="not")


def _tag(raw: Any) -> str | None:
    if isinstance(raw, _Node):
        return _TAGS.get(type(raw), "feature")
    if not isinstance(raw, dict):
        return None
    for key in ("all", "any", "not", "everyone", "feature"):
        if key in raw:
            return key
    return None


Rule = Annotated[
    Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[Not, Tag("not")]
    | Annotated[Everyone, Tag("everyone")]
    | Annotated[Condition, Tag("feature")],
    Discriminator(
        _tag,
        custom_error_type="unknown_rule",
        custom_error_message="a rule is all, any, not, everyone or a feature condition",
    ),
]


_TAGS: dict[type[_Node], str] = {AllOf: "all", AnyOf: "any", Not: "not", Everyone: "everyone"}


class _Root(BaseModel):
    rule: Rule


for _model in (AllOf, AnyOf, Not, _Root):
    _model.model_rebuild()


Predicate = Callable[[PersonFeatures, datetime, ZoneInfo], bool]


@dataclass(frozen=True)
class Segment:
    """A named rule an offer targets."""

    segment_id: str
    issuer: str
    name: str
    rule: Any
    """The parsed rule tree."""
    version: int = 1
    test: Predicate = field(init=False, repr=False, compare=False)
    """The rule compiled once: every purchase asks every segment."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "test", compile_rule(self.rule))

    def rule_data(self) -> dict[str, Any]:
        """The rule as JSON data, as it is stored and shown."""
        dumped: dict[str, Any] = self.rule.model_dump(by_alias=True, exclude_none=True)
        return dumped


def parse_rule(raw: Any) -> Any:
    """The rule tree of ``raw``; ``InvalidSegmentRuleError`` with every problem's location otherwise."""
    try:
        rule = _Root.model_validate({"rule": raw}).rule
    except ValidationError as error:
        problems = [
            {"pointer": _pointer(problem["loc"]), "code": problem["type"], "detail": problem["msg"]}
            for problem in error.errors(include_input=False, include_url=False)
        ]
        messages = "; ".join(f"{p['pointer']}: {p['detail']}" for p in problems)
        raise InvalidSegmentRuleError(f"The rule does not parse: {messages}", errors=problems[:20]) from None
    nodes, depth = _size(rule)
    if nodes > MAX_NODES or depth > MAX_DEPTH:
        raise InvalidSegmentRuleError(f"The rule is too large (at most {MAX_NODES} nodes, {MAX_DEPTH} deep)")
    return rule


def _pointer(loc: tuple[int | str, ...]) -> str:
    """A JSON pointer into the rule as sent: the union tags pydantic adds to a location are left out."""
    parts: list[str] = []
    expect_tag = True  # the root, a list item and the operand of "not" are rules
    skip_feature_name = False
    for part in loc[1:]:
        if skip_feature_name:
            skip_feature_name = False
            continue
        if expect_tag and isinstance(part, str):
            expect_tag = False
            skip_feature_name = part == "feature"
            continue
        parts.append(str(part))
        expect_tag = isinstance(part, int) or part == "not"
    return "/".join(["/rule", *parts])


def _size(rule: Any) -> tuple[int, int]:
    children: list[Any] = []
    if isinstance(rule, AllOf):
        children = rule.all
    elif isinstance(rule, AnyOf):
        children = rule.any
    elif isinstance(rule, Not):
        children = [rule.not_]
    sizes = [_size(child) for child in children]
    return 1 + sum(n for n, _ in sizes), 1 + max((d for _, d in sizes), default=0)


_COMPARE: dict[str, Callable[[int, int], bool]] = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def compile_rule(rule: Any) -> Predicate:
    """The rule as a function of a person's features: the same answers as ``matches``,
    without walking the tree on every call."""
    match rule:
        case AllOf():
            return _all_of(tuple(compile_rule(child) for child in rule.all))
        case AnyOf():
            return _any_of(tuple(compile_rule(child) for child in rule.any))
        case Not():
            inner = compile_rule(rule.not_)
            return lambda p, now, zone: not inner(p, now, zone)
        case Everyone():
            return lambda p, now, zone: True
        case Spend():
            compare, value, months, category, chain = (
                _COMPARE[rule.op],
                rule.value,
                rule.months,
                rule.category,
                rule.chain,
            )
            return lambda p, now, zone: compare(p.spend(now, zone, months, category, chain), value)
        case PurchaseCount():
            compare, value, months = _COMPARE[rule.op], rule.value, rule.months
            return lambda p, now, zone: compare(p.purchases(now, zone, months), value)
        case VisitedStore():
            store_id, months = rule.store_id, rule.months
            return lambda p, now, zone: store_id in p.visited(now, zone, months)
    return lambda p, now, zone: matches(rule, p, now, zone)


def matches(rule: Any, person: PersonFeatures, now: datetime, zone: ZoneInfo) -> bool:
    """Whether ``person`` is in the segment the rule describes, at ``now``."""
    match rule:
        case AllOf():
            return all(matches(child, person, now, zone) for child in rule.all)
        case AnyOf():
            return any(matches(child, person, now, zone) for child in rule.any)
        case Not():
            return not matches(rule.not_, person, now, zone)
        case Everyone():
            return True
        case Spend():
            spent = person.spend(now, zone, rule.months, rule.category, rule.chain)
            return _COMPARE[rule.op](spent, rule.value)
        case PurchaseCount():
            return _COMPARE[rule.op](person.purchases(now, zone, rule.months), rule.value)
        case VisitedStore():
            return rule.store_id in person.visited(now, zone, rule.months)
        case HouseholdRole():
            return (person.role == rule.value) == (rule.op == "==")
        case Status():
            return (person.status == rule.value) == (rule.op == "==")
        case Language():
            return person.language in rule.value
    raise TypeError(f"not a rule: {type(rule).__name__}")


# Loops rather than all()/any() over a generator: every segment of the catalogue is
# tested on every purchase, and most fail at their first part.
def _all_of(parts: tuple[Predicate, ...]) -> Predicate:
    def all_of(p: PersonFeatures, now: datetime, zone: ZoneInfo) -> bool:
        for part in parts:  # noqa: SIM110 - all() over a generator is the slower form this replaces
            if not part(p, now, zone):
                return False
        return True

    return all_of


def _any_of(parts: tuple[Predicate, ...]) -> Predicate:
    def any_of(p: PersonFeatures, now: datetime, zone: ZoneInfo) -> bool:
        for part in parts:  # noqa: SIM110 - any() over a generator is the slower form this replaces
            if part(p, now, zone):
                return True
        return False

    return any_of
