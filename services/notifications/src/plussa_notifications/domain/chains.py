"""K-Group chains and named partners: reference data a person picks consents from."""

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

CHAIN_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,39}$"
_CHAIN_ID = re.compile(CHAIN_ID_PATTERN, re.ASCII)


class ChainKind(StrEnum):
    """A K-Group chain or a partner outside the group."""

    CHAIN = "chain"
    PARTNER = "partner"


class ChainNames(BaseModel):
    """The chain's name in each language the programme speaks."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    fi: str = Field(min_length=1, max_length=100)
    sv: str = Field(min_length=1, max_length=100)
    en: str = Field(min_length=1, max_length=100)

    def in_language(self, language: str) -> str:
        """The name in ``language``; Finnish when the language is not one of the three."""
        return str(getattr(self, language, self.fi)) if language in ("fi", "sv", "en") else self.fi


class Chain(BaseModel):
    """One chain or partner a person may consent to hear from."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    chain_id: str = Field(pattern=CHAIN_ID_PATTERN)
    kind: ChainKind
    names: ChainNames


def is_chain_id(value: str) -> bool:
    """True when ``value`` has the shape of a chain id (the catalogue decides if it exists)."""
    return _CHAIN_ID.fullmatch(value) is not None
