"""Lists as pages: the ``Page`` answer, the ``limit``/``cursor`` query, opaque cursors and
keyset pagination over MongoDB (a sort key with ``_id`` as tie-break).

A cursor is the position after the last item of a page (its sort value and ``_id``),
base64url-encoded so callers treat it as opaque. Keyset paging never skips or repeats an
item when others are added meanwhile, and costs the same on the hundredth page as on
the first (an index on ``(sort key, _id)`` serves it).
"""

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from bson import ObjectId, json_util
from bson.errors import InvalidId
from bson.json_util import CANONICAL_JSON_OPTIONS
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_json
from pymongo.asynchronous.collection import AsyncCollection

from plussa_shared.errors import ValidationFailedError, field_error
from plussa_shared.mongo import Document, Session

T = TypeVar("T")
_SCALARS = (str, int, float, datetime, date, ObjectId)
_INT32 = 2**31


class Page(BaseModel, Generic[T]):
    """One page of a list: its ``items`` and the cursor of the next page (null on the last)."""

    items: list[T]
    next_cursor: str | None = Field(
        description="Send as `cursor` to get the next page; null when this is the last page."
    )


class PageQuery(BaseModel):
    """The query of every list route; a route's own query model subclasses it."""

    model_config = ConfigDict(extra="forbid")

    limit: int | None = Field(default=None, ge=1, description="Items per page (default and maximum in the schema).")
    cursor: str | None = Field(
        default=None,
        max_length=512,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The `next_cursor` of the previous page; omit for the first page.",
    )

    @property
    def size(self) -> int:
        """The page size: the route resolves ``limit`` from the settings before the handler runs."""
        if self.limit is None:
            raise RuntimeError("a PageQuery's limit is resolved by its route")
        return self.limit


def page_json(items: list[bytes], next_cursor: str | None) -> bytes:
    """A ``Page`` as JSON from its items' JSON, each already serialised: the same bytes
    ``Page.model_dump_json`` gives for those items."""
    cursor = to_json(next_cursor)
    return b'{"items":[%s],"next_cursor":%s}' % (b",".join(items), cursor)


@dataclass(frozen=True)
class PageLimits:
    """How many items a page holds: ``default`` when no ``limit`` is sent, at most ``max``."""

    default: int
    max: int

    def resolve(self, limit: int | None) -> int:
        """The page size for ``limit``; more than ``max`` is a 422, not silently cut."""
        if limit is None:
            return self.default
        if limit > self.max:
            raise ValidationFailedError(
                errors=[field_error("too_big", f"Ask for at most {self.max} items", parameter="limit")]
            )
        return limit


@dataclass(frozen=True)
class Position:
    """Where a page ends: the sort value and ``_id`` of its last item."""

    value: Any
    id: Any


def encode_cursor(position: Position, sort_key: str) -> str:
    """An opaque cursor for ``position`` in a list sorted by ``sort_key``: canonical
    extended JSON of ``{"s": sort_key, "v": value, "i": id}``, as ``decode_cursor`` reads it."""
    raw = f'{{"s": {_extended(sort_key)}, "v": {_extended(position.value)}, "i": {_extended(position.id)}}}'
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _extended(value: Any) -> str:
    """``value`` as ``json_util.dumps`` writes it in canonical mode; strings and integers
    (the cursors of the hottest reads) without its walk over the value, several times
    the cost of the rest of the cursor."""
    kind = type(value)
    if kind is str:
        return json.dumps(value)
    if kind is int:
        return f'{{"$numberInt": "{value}"}}' if -_INT32 <= value < _INT32 else f'{{"$numberLong": "{value}"}}'
    return json_util.dumps(value, json_options=CANONICAL_JSON_OPTIONS)


def decode_cursor(cursor: str, sort_key: str) -> Position:
    """The position ``cursor`` names; a 422 on ``cursor`` when it was not made by
    ``encode_cursor`` for a list sorted by ``sort_key``."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json_util.loads(raw, json_options=CANONICAL_JSON_OPTIONS)
    except (ValueError, binascii.Error, InvalidId, TypeError):
        data = None
    if (
        not isinstance(data, dict)
        or set(data) != {"s", "v", "i"}
        or data["s"] != sort_key
        or not isinstance(data["v"], _SCALARS)
        or not isinstance(data["i"], _SCALARS)
    ):
        raise ValidationFailedError(
            errors=[field_error("invalid_cursor", "Send a next_cursor exactly as received", parameter="cursor")]
        )
    return Position(data["v"], data["i"])


async def keyset_page(
    collection: AsyncCollection[Document],
    where: Mapping[str, Any],
    *,
    sort_key: str,
    limit: int,
    cursor: str | None,
    descending: bool = True,
    session: Session | None = None,
) -> tuple[list[Document], str | None]:
    """One page of ``collection`` matching ``where``, sorted by ``sort_key`` then ``_id``
    (newest first by default), starting after ``cursor``; with the next page's cursor.

    Every matched document must have ``sort_key`` set (a missing value sorts apart and
    would be skipped). The store builds ``where`` from the caller (whose items these are),
    so a cursor can only move within what the caller may see."""
    query = keyset_query(where, sort_key=sort_key, cursor=cursor, descending=descending)
    found = collection.find(query, session=session).sort(list(keyset_order(sort_key, descending).items()))
    documents: list[Document] = [doc async for doc in found.limit(limit + 1)]
    return keyset_cut(documents, sort_key=sort_key, limit=limit)


def keyset_query(
    where: Mapping[str, Any], *, sort_key: str, cursor: str | None, descending: bool = True
) -> dict[str, Any]:
    """``where`` narrowed to the items after ``cursor``: the filter of ``keyset_page``, for
    a page read some other way (inside an aggregation, with the caller's other reads)."""
    if cursor is None:
        return dict(where)
    after = decode_cursor(cursor, sort_key)
    beyond = "$lt" if descending else "$gt"
    return {
        "$and": [
            dict(where),
            {"$or": [{sort_key: {beyond: after.value}}, {sort_key: after.value, "_id": {beyond: after.id}}]},
        ]
    }


def keyset_order(sort_key: str, descending: bool = True) -> dict[str, int]:
    """The sort of a keyset page: ``sort_key`` then ``_id``, both the same way."""
    direction = -1 if descending else 1
    return {sort_key: direction, "_id": direction}


def keyset_cut(documents: list[Document], *, sort_key: str, limit: int) -> tuple[list[Document], str | None]:
    """A page of at most ``limit`` of ``documents`` (read with one more than ``limit``, in
    the keyset order) and the next page's cursor, None when nothing is beyond it."""
    if len(documents) <= limit:
        return documents, None
    last = documents[limit - 1]
    return documents[:limit], encode_cursor(Position(_dig(last, sort_key), last["_id"]), sort_key)


def _dig(document: Document, dotted: str) -> Any:
    value: Any = document
    for part in dotted.split("."):
        value = value[part]
    return value
