"""Every event the receipts service consumes, in one table: event type -> use case."""

from typing import Any

from plussa_receipts.context import ReceiptsContext
from plussa_shared.consumer import Subscription


def subscriptions(ctx: ReceiptsContext) -> list[Subscription[Any]]:
    """The receipts service's subscriptions, bound to its context (none yet)."""
    return []
