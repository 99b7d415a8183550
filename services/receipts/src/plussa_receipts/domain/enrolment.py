"""A person's warranty receipt service: on or off, and which purchases it saves."""

from dataclasses import dataclass
from datetime import datetime

from plussa_receipts.events.published import ServiceTurnedOff, ServiceTurnedOn
from plussa_shared.domain import Aggregate


@dataclass
class Enrolment(Aggregate):
    """Whether ``person_id`` keeps warranty receipts, and since when.

    Main and parallel holders each decide for their own purchases, so this belongs to
    a person, not a household. ``version`` bumps with every change (the ETag)."""

    person_id: str
    enabled: bool = False
    enabled_at: datetime | None = None
    version: int = 0

    @property
    def subject(self) -> str:
        """The CloudEvents subject of this person's receipt events."""
        return f"person/{self.person_id}"

    def turn_on(self, now: datetime) -> bool:
        """Start saving purchases made from ``now`` on; turning it on twice changes nothing."""
        if self.enabled:
            return False
        self.enabled, self.enabled_at = True, now
        self.version += 1
        self.record(ServiceTurnedOn(person_id=self.person_id, occurred_at=now), self.subject)
        return True

    def turn_off(self, now: datetime, *, receipts_deleted: int) -> bool:
        """Stop saving; the caller has already kept or deleted the saved receipts as chosen."""
        if not self.enabled:
            return False
        self.enabled, self.enabled_at = False, None
        self.version += 1
        self.record(
            ServiceTurnedOff(person_id=self.person_id, receipts_deleted=receipts_deleted, occurred_at=now),
            self.subject,
        )
        return True

    def saves(self, *, purchased_at: datetime, chain: str, chains: frozenset[str]) -> bool:
        """A purchase is saved when the service was on at its time and the chain keeps receipts."""
        return self.enabled and self.enabled_at is not None and purchased_at >= self.enabled_at and chain in chains
