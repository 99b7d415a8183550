"""Messages rendered from Jinja2 templates in the person's language, as plain text and HTML.

Each language's texts live in ``templates/<language>.toml``; each text is a small
Jinja template rendered twice: with autoescape for the HTML part (so a name with
markup shows as text, never as markup) and without it for the plain part. Dates and
money follow the language through Babel.
"""

import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from babel.dates import format_date, format_datetime, get_timezone
from babel.numbers import format_currency
from jinja2 import Environment, StrictUndefined, Template
from markupsafe import Markup

LANGUAGES = ("fi", "sv", "en")
FALLBACK_LANGUAGE = "fi"
_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_FI"}
_TIME_ZONE = "Europe/Helsinki"


@dataclass(frozen=True)
class RenderedMail:
    """One message's subject, plain text and HTML."""

    subject: str
    text: str
    html: str
    language: str


class _Output:
    """One language's texts compiled for one output: HTML (autoescaped) or plain text."""

    def __init__(self, locale: str, layout: str, *, html: bool) -> None:
        # S701: autoescape is on for HTML; the other environment renders plain text only.
        self.env = Environment(autoescape=html, undefined=StrictUndefined, keep_trailing_newline=True)  # noqa: S701
        self.env.filters.update(_filters(locale))
        self.html = html
        self.layout = self.env.from_string(layout)
        self._compiled: dict[str, Template] = {}

    def text(self, source: str, values: dict[str, Any]) -> str:
        template = self._compiled.get(source)
        if template is None:
            template = self._compiled[source] = self.env.from_string(source)
        rendered = template.render(values)
        # Escaped once already, as it was rendered: the layout must not escape it again.
        return Markup(rendered) if self.html else rendered  # noqa: S704


class _Language:
    def __init__(self, language: str, catalogue: dict[str, Any], layouts: dict[str, str]) -> None:
        locale = _LOCALES[language]
        self.language = language
        self.catalogue = catalogue
        self.html = _Output(locale, layouts["html"], html=True)
        self.plain = _Output(locale, layouts["text"], html=False)


class Renderer:
    """Renders every message kind in fi, sv and en."""

    def __init__(self) -> None:
        folder = resources.files("plussa_notifications.mail") / "templates"
        layouts = {
            name: (folder / f"layout.{ext}").read_text("utf-8") for name, ext in (("html", "html"), ("text", "txt"))
        }
        self._languages = {
            language: _Language(language, tomllib.loads((folder / f"{language}.toml").read_text("utf-8")), layouts)
            for language in LANGUAGES
        }

    def kinds(self, language: str) -> set[str]:
        """The message kinds ``language`` has texts for."""
        return {k for k, v in self._languages[language].catalogue.items() if isinstance(v, dict)}

    def render(
        self,
        kind: str,
        language: str,
        data: dict[str, Any],
        *,
        action_url: str | None = None,
        unsubscribe_url: str | None = None,
    ) -> RenderedMail:
        """Render message ``kind`` in ``language`` (Finnish when the language is not offered)."""
        lang = self._languages.get(language) or self._languages[FALLBACK_LANGUAGE]
        values = {**data, "language": lang.language}
        subject = self._subject(lang, kind, values)
        parts = {
            name: self._body(lang, output, kind, values, subject, action_url, unsubscribe_url)
            for name, output in (("html", lang.html), ("text", lang.plain))
        }
        return RenderedMail(subject=subject, text=parts["text"], html=parts["html"], language=lang.language)

    def subject(self, kind: str, language: str, data: dict[str, Any]) -> str:
        """Only the subject line of message ``kind``, as the mail had it."""
        lang = self._languages.get(language) or self._languages[FALLBACK_LANGUAGE]
        return self._subject(lang, kind, {**data, "language": lang.language})

    @staticmethod
    def _subject(lang: _Language, kind: str, values: dict[str, Any]) -> str:
        return " ".join(lang.plain.text(lang.catalogue[kind]["subject"], values).splitlines()).strip()

    @staticmethod
    def _body(
        lang: _Language,
        output: _Output,
        kind: str,
        values: dict[str, Any],
        subject: str,
        action_url: str | None,
        unsubscribe_url: str | None,
    ) -> str:
        catalogue = lang.catalogue
        texts = catalogue[kind]
        greeting = catalogue["greeting"] if values.get("first_name") else catalogue["greeting_anonymous"]
        return output.layout.render(
            language=lang.language,
            subject=subject,
            greeting=output.text(greeting, values),
            lines=[output.text(line, values) for line in texts["lines"]],
            action=output.text(texts["action"], values) if "action" in texts else None,
            action_url=action_url,
            signature=catalogue["signature"],
            unsubscribe_url=unsubscribe_url,
            marketing_footer=output.text(catalogue["marketing_footer"], values) if unsubscribe_url else "",
            unsubscribe=output.text(catalogue["unsubscribe"], values) if unsubscribe_url else "",
        )


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value)
    return datetime.fromisoformat(text).date() if "T" in text else date.fromisoformat(text)


def _as_datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


@lru_cache(maxsize=1)
def _zone() -> Any:
    return get_timezone(_TIME_ZONE)


def _filters(locale: str) -> dict[str, Any]:
    return {
        "money": lambda cents: format_currency(Decimal(int(cents)) / 100, "EUR", locale=locale),
        "date": lambda value: format_date(_as_date(value), format="long", locale=locale),
        "month": lambda value: format_date(date.fromisoformat(f"{value}-01"), format="LLLL y", locale=locale),
        "datetime": lambda value: format_datetime(_as_datetime(value), format="medium", tzinfo=_zone(), locale=locale),
    }
