"""Strict input: request models, patterns and ids that mean the same everywhere.

The routing layer validates every request body and query with pydantic's strict mode
(``strict=True`` at validation), so a service's request models are strict without
changing their base class: JSON numbers are not read from strings, booleans are not
integers, and a date or time is only an ISO string. ``StrictModel`` states the same in
a model itself (for models validated outside the routing layer, such as events from
store systems).

A documented pattern must refuse in Python what it refuses in JSON Schema. Python's
``\\w``, ``\\d`` and ``\\s`` match any Unicode letter, digit or space; the ECMAScript
regular expressions of JSON Schema match ASCII only. ``ascii_pattern`` spells the
classes out in ASCII, so both read the pattern alike.
"""

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

_CLASSES = {"w": "A-Za-z0-9_", "d": "0-9", "s": " \\t\\n\\r\\f\\v"}
_SHORTHAND = re.compile(r"\\\\|\\([wds])|\\([WDS])|\[|\]|\\.|.", re.DOTALL)


class StrictModel(BaseModel):
    """Base of a model read from outside: strict types, unknown fields refused.

    Validate JSON with ``model_validate_json``: ISO strings are accepted for dates
    and times, numbers are not accepted from strings nor booleans as numbers.
    """

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def ascii_pattern(pattern: str) -> str:
    """``pattern`` with ``\\w``, ``\\d`` and ``\\s`` spelled as ASCII classes.

    ``^[\\w.\\-]+$`` becomes ``^[A-Za-z0-9_.\\-]+$``. The negated ``\\W``, ``\\D`` and
    ``\\S`` are refused, because outside a class they cannot be spelled out inside one.
    """
    out: list[str] = []
    in_class = False
    for match in _SHORTHAND.finditer(pattern):
        piece = match.group(0)
        if match.group(2):
            raise ValueError(f"spell \\{match.group(2)} out as a negated ASCII class in {pattern!r}")
        if match.group(1):
            chars = _CLASSES[match.group(1)]
            out.append(chars if in_class else f"[{chars}]")
            continue
        if piece == "[" and not in_class:
            in_class = True
        elif piece == "]" and in_class:
            in_class = False
        out.append(piece)
    return "".join(out)


ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$"
"""An identifier: ASCII letters, digits and ``_ . : -``; no spaces, no control characters."""

Id = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=ID_PATTERN)]
"""A string id from outside (a store's id, a purchase's id): ASCII, no control characters."""

PrintableText = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x1f\x7f]*$")]
"""Free text on one line: any letter of any language, but no control characters."""
