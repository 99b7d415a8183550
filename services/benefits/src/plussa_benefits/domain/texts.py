"""Texts in the programme's three languages."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from plussa_benefits.domain.errors import MissingLanguageError

Language = Literal["fi", "sv", "en"]
LANGUAGES: tuple[Language, ...] = ("fi", "sv", "en")
MAX_TEXT = 2000


@dataclass(frozen=True)
class Texts:
    """One text in Finnish, Swedish and English; every version is required."""

    fi: str
    sv: str
    en: str

    @classmethod
    def parse(cls, raw: Mapping[Any, str], field: str) -> "Texts":
        """Texts from ``{"fi": ..., "sv": ..., "en": ...}``; each language present and not blank."""
        missing = [lang for lang in LANGUAGES if not (raw.get(lang) or "").strip()]
        if missing:
            raise MissingLanguageError(f"{field} lacks {', '.join(missing)}", pointer=f"/{field}", languages=missing)
        too_long = [lang for lang in LANGUAGES if len(raw[lang]) > MAX_TEXT]
        if too_long:
            raise MissingLanguageError(f"{field} is longer than {MAX_TEXT} characters", pointer=f"/{field}")
        return cls(fi=raw["fi"].strip(), sv=raw["sv"].strip(), en=raw["en"].strip())

    def pick(self, language: str) -> str:
        """The version in ``language``; Finnish for any other language."""
        return str(getattr(self, language)) if language in LANGUAGES else self.fi

    def as_dict(self) -> dict[str, str]:
        """``{"fi": ..., "sv": ..., "en": ...}``."""
        return {"fi": self.fi, "sv": self.sv, "en": self.en}
