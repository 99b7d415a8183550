"""Versions as entity tags: ``ETag`` on versioned resources, ``If-None-Match`` for 304 on
reads, ``If-Match`` for writes that must not overwrite a change the caller has not seen.

The tag is the resource's integer ``version`` in quotes (a strong validator: two answers
with one tag are byte-for-byte the same resource state). A conditional write hands the
expected version to the use case, whose store update filters on it, so the check and
the write are one atomic step.
"""

import re
from typing import Any

from aiohttp import web

from plussa_shared.errors import BadRequestError, PreconditionFailedError

_TAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*')


def etag(version: Any) -> str:
    """The strong entity tag of ``version``."""
    return f'"{version}"'


def _tags(header: str) -> list[tuple[bool, str]]:
    """The (weak, opaque tag) pairs of an ``If-Match``/``If-None-Match`` list."""
    tags = []
    for part in header.split(","):
        match = _TAG.fullmatch(part)
        if match is None:
            raise BadRequestError("Entity tags are quoted, as the ETag header sends them", slug="malformed-entity-tag")
        tags.append((match.group(1) is not None, match.group(2)))
    return tags


def expected_version(request: web.Request) -> int | None:
    """The version ``If-Match`` requires, or None when the write is unconditional (no
    header, or ``*``). A weak or unknown tag can never match (412, nothing changed)."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    tags = _tags(header)
    if len(tags) != 1:
        raise BadRequestError("Send one entity tag in If-Match", slug="malformed-entity-tag")
    weak, opaque = tags[0]
    if weak or not opaque.isdigit():
        raise PreconditionFailedError("The entity tag names no version of this resource")
    return int(opaque)


def not_modified(request: web.Request, current: str) -> bool:
    """Whether ``If-None-Match`` already names ``current`` (weak comparison, RFC 9110 13.1.2)."""
    header = request.headers.get("If-None-Match")
    if header is None:
        return False
    if header.strip() == "*":
        return True
    try:
        tags = _tags(header)
    except BadRequestError:
        return False  # an unreadable validator only costs the caller a full answer
    return any(f'"{opaque}"' == current for _, opaque in tags)


def require_version(current: int, expected: int | None) -> None:
    """412 when ``expected`` is set and is not ``current``. Use it where the store
    cannot filter its update on the version; prefer the filter, which is atomic."""
    if expected is not None and current != expected:
        raise PreconditionFailedError("The resource has changed since you read it; read it again")
