"""Closing a household's month: grocery bonus, charity first, conversion to Plussa money.

Decision: the grocery bonus is computed once, at month end, from the month's net
eligible grocery spend (returns in the month reduce it); the customer views show a
running projection computed by the same function.
"""

from dataclasses import dataclass

from plussa_points.domain.rules import ProgrammeRules


@dataclass(frozen=True)
class MonthActivity:
    """What a household earned in one calendar month, from the ledger's projection."""

    month: str
    base_points: int = 0
    mastercard_points: int = 0
    reversed_points: int = 0
    campaign_points: int = 0
    grocery_cents: int = 0


@dataclass(frozen=True)
class CharityChoice:
    """The main holder's charity set-up: one charity or all (``None``), all points or up to N thousands."""

    charity_id: str | None
    max_thousands: int | None


@dataclass(frozen=True)
class Donation:
    """Points given to charity and their money, split among charities."""

    points: int
    cents: int
    split: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Statement:
    """A closed month of one household, step by step."""

    months: tuple[str, ...]
    carried_in: int
    base_points: int
    mastercard_points: int
    reversed_points: int
    campaign_points: int
    grocery_cents: int
    grocery_bonus_points: int
    month_points: int
    donation: Donation
    converted_points: int
    payout_cents: int
    carried_out: int


def grocery_bonus(rules: ProgrammeRules, grocery_cents: int) -> int:
    """Extra points of the highest grocery step reached, per full euro of the month's grocery spend."""
    rate = 0
    for step in rules.grocery_steps:
        if grocery_cents >= step.from_cents:
            rate = step.points_per_euro
    return max(grocery_cents, 0) // 100 * rate


def points_to_cents(rules: ProgrammeRules, points: int) -> tuple[int, int]:
    """Convert points to whole cents, rounded down: (cents, points used)."""
    if points <= 0:
        return 0, 0
    cents = points * rules.conversion_cents // rules.conversion_points
    used = -(-cents * rules.conversion_points // rules.conversion_cents)
    return cents, used


def split_donation(rules: ProgrammeRules, cents: int, charity_id: str | None) -> tuple[tuple[str, int], ...]:
    """One chosen charity gets all; otherwise equal shares, the odd cents to the first in order."""
    if cents <= 0:
        return ()
    if charity_id is not None:
        return ((charity_id, cents),)
    ids = rules.charity_ids()
    share, rest = divmod(cents, len(ids))
    return tuple((cid, share + (1 if i < rest else 0)) for i, cid in enumerate(ids) if share or i < rest)


def close_month(
    rules: ProgrammeRules, carried_in: int, months: list[MonthActivity], charity: CharityChoice | None
) -> Statement:
    """Close the open months of a household (normally exactly one).

    Order: the month's points (base, MasterCard extra, campaign, grocery bonus, less
    returns) are added to the carried points; the charity takes whole thousands of
    the month's points first; the rest converts to whole cents; what does not make
    a whole cent is carried.
    """
    base = sum(m.base_points for m in months)
    extra = sum(m.mastercard_points for m in months)
    reversed_ = sum(m.reversed_points for m in months)
    campaign = sum(m.campaign_points for m in months)
    grocery = sum(m.grocery_cents for m in months)
    bonus = sum(grocery_bonus(rules, m.grocery_cents) for m in months)
    month_points = base + extra + campaign + bonus - reversed_
    available = carried_in + month_points
    donation = Donation(0, 0, ())
    if charity is not None:
        thousands = min(month_points, available) // 1000
        if charity.max_thousands is not None:
            thousands = min(thousands, charity.max_thousands)
        if thousands > 0:
            points = thousands * 1000
            cents, _ = points_to_cents(rules, points)
            donation = Donation(points, cents, split_donation(rules, cents, charity.charity_id))
    convertible = available - donation.points
    cents, used = points_to_cents(rules, convertible)
    return Statement(
        months=tuple(m.month for m in months),
        carried_in=carried_in,
        base_points=base,
        mastercard_points=extra,
        reversed_points=reversed_,
        campaign_points=campaign,
        grocery_cents=grocery,
        grocery_bonus_points=bonus,
        month_points=month_points,
        donation=donation,
        converted_points=used,
        payout_cents=cents,
        carried_out=convertible - used,
    )
