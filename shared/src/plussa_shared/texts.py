"""The languages every text is served in and ``LocalizedText`` for reference data that
carries all three; plain pydantic, so settings and commands can use them without the
HTTP stack that negotiates a request's language (``plussa_shared.languages``)."""

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Language(StrEnum):
    """The languages every text is served in."""

    FI = "fi"
    SV = "sv"
    EN = "en"


Localized = Literal["negotiated", "all"]
"""What a route declares about its texts: one language chosen by ``Accept-Language``
(``Content-Language: sv``), or all three side by side (``Content-Language: fi, sv, en``)."""


class LocalizedText(BaseModel):
    """A text of reference data in all three languages."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fi: str = Field(min_length=1, description="Finnish")
    sv: str = Field(min_length=1, description="Swedish")
    en: str = Field(min_length=1, description="English")

    def in_(self, language: Language | str) -> str:
        """The text in ``language``."""
        return str(getattr(self, Language(language).value))
