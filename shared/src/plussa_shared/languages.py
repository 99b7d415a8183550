"""Texts in the caller's language: ``Accept-Language`` negotiation among fi, sv and en,
``Content-Language`` on answers that carry text, and ``LocalizedText`` for reference data
that carries all three."""

from aiohttp import web

from plussa_shared.keys import SETTINGS
from plussa_shared.texts import Language, Localized, LocalizedText

__all__ = ["LANGUAGE", "Language", "Localized", "LocalizedText", "content_language", "language_of", "negotiate"]

LANGUAGE = web.RequestKey("language", str)


def negotiate(header: str | None, fallback: Language) -> Language:
    """The supported language the ``Accept-Language`` header prefers most (RFC 9110 12.5.4,
    matching on the primary subtag: ``sv-FI`` is ``sv``); ``fallback`` when it names none."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((header or "").split(",")):
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
    for _, _, primary in sorted(ranked):
        if primary == "*":
            return fallback
        if primary in Language.__members__.values():
            return Language(primary)
    return fallback


def language_of(request: web.Request) -> Language:
    """The language to answer ``request`` in (negotiated once per request)."""
    chosen = request.get(LANGUAGE)
    if chosen is None:
        chosen = negotiate(request.headers.get("Accept-Language"), Language(request.app[SETTINGS].default_language))
        request[LANGUAGE] = chosen
    return Language(chosen)


def content_language(request: web.Request, localized: Localized) -> str:
    """The ``Content-Language`` of an answer whose route declared ``localized``."""
    if localized == "all":
        return ", ".join(language.value for language in Language)
    return language_of(request).value
