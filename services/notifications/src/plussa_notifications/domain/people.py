"""What the service knows of a person, learnt from identity's and cards' events."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    """A recipient: the address identity verified, the language they chose, their first name."""

    person_id: str
    email: str | None = None
    email_verified: bool = False
    language: str = "fi"
    first_name: str | None = None
    household_id: str | None = None

    @property
    def verified_email(self) -> str | None:
        """The address mail may go to; none until identity says it is verified."""
        return self.email if self.email_verified else None
