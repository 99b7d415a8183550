"""The consent ledger: every consent given or withdrawn, kept append-only as GDPR evidence.

A person's current preferences are a fold of their entries in order; nothing is
ever updated or removed in the ledger itself.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict

from plussa_notifications.domain.errors import UnknownChainError
from plussa_notifications.events.published import PreferenceChanged
from plussa_shared.domain import Aggregate


class ConsentSource(StrEnum):
    """Where the person gave or withdrew the consent."""

    PORTAL = "portal"
    UNSUBSCRIBE_LINK = "unsubscribe_link"
    CUSTOMER_SERVICE = "customer_service"


class ConsentEntry(BaseModel):
    """One consent given (``consented`` true) or withdrawn, with the wording the person saw."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entry_id: str
    person_id: str
    chain_id: str
    consented: bool
    at: AwareDatetime
    source: ConsentSource
    wording_version: str


def current_consents(entries: Iterable[ConsentEntry]) -> dict[str, bool]:
    """Each chain's state after the entries, applied in time order."""
    state: dict[str, bool] = {}
    for entry in sorted(entries, key=lambda e: e.at):
        state[entry.chain_id] = entry.consented
    return state


def consented_at(entries: Iterable[ConsentEntry], chain_id: str, when: datetime) -> bool:
    """Whether the person had consented to ``chain_id`` at ``when`` (no entry: no consent)."""
    relevant = [e for e in entries if e.chain_id == chain_id and e.at <= when]
    return current_consents(relevant).get(chain_id, False)


@dataclass
class ContactPreferences(Aggregate):
    """A person's current consents per chain, derived from their ledger; ``version`` grows
    with every change so a client can write against the state it saw."""

    person_id: str
    consents: dict[str, bool] = field(default_factory=dict)
    version: int = 0
    changes: list[ConsentEntry] = field(default_factory=list)
    """Entries added by this object's changes, for the ledger and the events."""

    def change(
        self,
        choices: Mapping[str, bool],
        *,
        known_chains: Iterable[str],
        source: ConsentSource,
        wording_version: str,
        at: datetime,
        new_id: Callable[[], str],
    ) -> list[ConsentEntry]:
        """Give or withdraw consents; an unknown chain refuses the whole change. Only real
        changes are recorded: choosing what is already the state adds nothing."""
        known = set(known_chains)
        unknown = sorted(set(choices) - known)
        if unknown:
            raise UnknownChainError(f"Unknown chain or partner: {', '.join(unknown)}", chains=unknown)
        added = [
            ConsentEntry(
                entry_id=new_id(),
                person_id=self.person_id,
                chain_id=chain_id,
                consented=consented,
                at=at,
                source=source,
                wording_version=wording_version,
            )
            for chain_id, consented in sorted(choices.items())
            if self.consents.get(chain_id, False) != consented
        ]
        for entry in added:
            self.consents[entry.chain_id] = entry.consented
            changed = PreferenceChanged(
                person_id=self.person_id,
                chain_id=entry.chain_id,
                consented=entry.consented,
                source=entry.source.value,
                wording_version=entry.wording_version,
                occurred_at=at,
            )
            self.record(changed, f"person/{self.person_id}", at)
        if added:
            self.version += 1
            self.changes.extend(added)
        return added

    def may_receive_marketing(self, chain_id: str) -> bool:
        """Marketing from a chain goes only to people whose consent to it stands now."""
        return self.consents.get(chain_id, False)

    @property
    def opted_in(self) -> list[str]:
        """The chains the person hears from, sorted."""
        return sorted(chain for chain, consented in self.consents.items() if consented)
