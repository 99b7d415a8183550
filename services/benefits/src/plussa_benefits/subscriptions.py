"""Every event the benefits service consumes, in one table: event type -> use case."""

from typing import Any

from plussa_benefits.context import BenefitsContext
from plussa_shared.consumer import Subscription


def subscriptions(ctx: BenefitsContext) -> list[Subscription[Any]]:
    """The benefits service's subscriptions, bound to its context (none yet)."""
    return []
