"""A person's login and profile ("Omat tiedot")."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from plussa_identity.domain.members import Language


class PostalAddress(BaseModel):
    """Where letters reach the person."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    street: str = Field(min_length=1, max_length=200)
    postal_code: str = Field(min_length=2, max_length=12, pattern=r"^[A-Za-z0-9 -]+$")
    city: str = Field(min_length=1, max_length=100)
    country: str = Field(default="FI", pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")


class Account(BaseModel):
    """One login per person: credentials and the profile facts identity owns (e-mail address,
    language, phone, postal address). The person's name and date of birth are the cards
    service's: identity keeps them only in its projection of the members (``MemberView``)."""

    model_config = ConfigDict(frozen=True)

    person_id: str
    email: str
    email_verified: bool = False
    pending_email: str | None = None
    password_hash: str
    language: Language
    phone: str | None = None
    postal_address: PostalAddress | None = None
    created_at: datetime
    updated_at: datetime
    erased_at: datetime | None = None
    version: int = 0
    """Grows by one with every change of the login (the profile's ETag)."""
