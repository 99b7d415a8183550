"""Which of a household's monthly projections are still open: those after the month its
account last closed (``last_closed_month``). Month end moves that one field of the
account instead of marking each month closed."""

from collections.abc import Sequence

from plussa_shared.mongo import Document


def open_months(accounts: Sequence[Document], *, up_to: str | None = None) -> Document:
    """The filter of the open months (of them, those up to ``up_to``) of the households
    whose accounts (with their ``last_closed_month``) are given: a month is open while it
    is after its household's last closed month. One branch per last closed month: in a
    batch of households nearly all share one."""
    by_last: dict[str | None, list[str]] = {}
    for account in accounts:
        by_last.setdefault(account.get("last_closed_month"), []).append(account["_id"])
    branches = []
    for last, ids in by_last.items():
        month: Document = {} if last is None else {"$gt": last}
        if up_to is not None:
            month["$lte"] = up_to
        branches.append({"household_id": {"$in": ids}, **({"month": month} if month else {})})
    return branches[0] if len(branches) == 1 else {"$or": branches}
