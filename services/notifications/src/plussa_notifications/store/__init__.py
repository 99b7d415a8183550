"""The only code that touches the notifications service's collections."""

from plussa_notifications.store.collections import INDEXES
from plussa_notifications.store.store import Store

__all__ = ["INDEXES", "Store"]
