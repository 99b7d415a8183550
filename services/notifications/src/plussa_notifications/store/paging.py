"""Opaque cursors over a list ordered by a time and an id, newest first."""

import base64
import json
from datetime import datetime
from typing import Any

from plussa_notifications.domain.errors import NotificationsError


class BadCursorError(NotificationsError):
    kind = "invalid"
    slug = "invalid-cursor"
    title = "The cursor is not one this list gave out"


def encode_cursor(at: datetime, last_id: str) -> str:
    """The cursor that continues after the item at ``at`` with id ``last_id``."""
    raw = json.dumps([at.isoformat(), last_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def after_cursor(cursor: str | None, time_field: str) -> dict[str, Any]:
    """The query filter for the items after ``cursor`` in (time, id) descending order."""
    if cursor is None:
        return {}
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at_text, last_id = json.loads(raw)
        at = datetime.fromisoformat(str(at_text))
    except (ValueError, TypeError) as exc:
        raise BadCursorError() from exc
    return {"$or": [{time_field: {"$lt": at}}, {time_field: at, "_id": {"$lt": str(last_id)}}]}
