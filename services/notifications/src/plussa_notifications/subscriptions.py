"""Every event the notifications service consumes, in one table: event type -> use case."""

from typing import Any

from plussa_notifications.context import NotificationsContext
from plussa_shared.consumer import Subscription


def subscriptions(ctx: NotificationsContext) -> list[Subscription[Any]]:
    """The notifications service's subscriptions, bound to its context (none yet)."""
    return []
