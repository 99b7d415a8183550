"""What the benefits routes share: the context, the caller's language, versions, ids."""

import re

from aiohttp import web

from plussa_benefits.context import BenefitsContext
from plussa_shared.errors import BadRequestError
from plussa_shared.keys import context_of

ID = r"^[A-Za-z0-9_.\-]{1,100}$"
LANGUAGES = ("fi", "sv", "en")


def ctx_of(request: web.Request) -> BenefitsContext:
    """The service's context."""
    return context_of(request.app, BenefitsContext)


def language(request: web.Request) -> str:
    """The caller's language from ``Accept-Language`` (fi, sv or en; Finnish otherwise)."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(request.headers.get("Accept-Language", "").split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                continue
        if tag and quality > 0:
            ranked.append((-quality, position, tag.split("-")[0].strip().lower()))
    return next((primary for _, _, primary in sorted(ranked) if primary in LANGUAGES), "fi")


def expected_version(request: web.Request) -> int | None:
    """The version named by ``If-Match`` (``"3"``), if any."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    match = re.fullmatch(r'\s*(?:W/)?"(\d{1,9})"\s*', header)
    if match is None:
        raise BadRequestError("If-Match must be an ETag this service gave", slug="malformed-if-match")
    return int(match.group(1))


def path_id(value: str) -> str:
    """A path id as this service makes them; anything else cannot exist (400)."""
    if not re.fullmatch(ID, value):
        raise BadRequestError("Not a valid id", slug="malformed-id")
    return value
