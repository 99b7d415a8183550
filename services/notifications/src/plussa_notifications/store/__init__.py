"""The only code of the notifications service that touches its collections."""

from plussa_notifications.store.collections import INDEXES
from plussa_notifications.store.store import NotificationsStore

__all__ = ["INDEXES", "NotificationsStore"]
