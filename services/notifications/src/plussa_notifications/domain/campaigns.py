"""A marketing send from one chain or partner to everyone who consented to it."""

from pydantic import BaseModel, ConfigDict, Field


class LocalizedText(BaseModel):
    """A text in each of the programme's languages."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    fi: str = Field(min_length=1, max_length=5000)
    sv: str = Field(min_length=1, max_length=5000)
    en: str = Field(min_length=1, max_length=5000)

    def in_language(self, language: str) -> str:
        """The text in ``language``; Finnish for any other."""
        return {"fi": self.fi, "sv": self.sv, "en": self.en}.get(language, self.fi)


def may_send_for(scopes: frozenset[str], chain_id: str) -> bool:
    """A partner credential sends for the chains named in its scopes
    (``notifications:chain:<id>``); an operator for any."""
    return "ops" in scopes or f"notifications:chain:{chain_id}" in scopes
