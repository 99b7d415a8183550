"""What the HTTP API answers: read models shaped for the portal."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from plussa_notifications.domain.chains import Chain, ChainKind, ChainNames
from plussa_notifications.domain.consent import ConsentEntry, ContactPreferences
from plussa_notifications.domain.messages import Message


class ChainView(BaseModel):
    """A chain or partner a person may hear from."""

    chain_id: str = Field(examples=["k-citymarket"])
    kind: ChainKind
    names: ChainNames

    @classmethod
    def of(cls, chain: Chain) -> "ChainView":
        return cls(chain_id=chain.chain_id, kind=chain.kind, names=chain.names)


class ChainChoiceView(ChainView):
    """A chain and whether the person hears from it now."""

    consented: bool


class PreferencesView(BaseModel):
    """The person's current choices; ``version`` is also the ETag."""

    version: int
    chains: list[ChainChoiceView]

    @classmethod
    def of(cls, prefs: ContactPreferences, chains: list[Chain]) -> "PreferencesView":
        return cls(
            version=prefs.version,
            chains=[
                ChainChoiceView(
                    chain_id=c.chain_id, kind=c.kind, names=c.names, consented=prefs.consents.get(c.chain_id, False)
                )
                for c in chains
            ],
        )


class ConsentEntryView(BaseModel):
    """One consent given or withdrawn."""

    chain_id: str
    consented: bool
    at: datetime
    source: Literal["portal", "unsubscribe_link", "customer_service"]
    wording_version: str

    @classmethod
    def of(cls, entry: ConsentEntry) -> "ConsentEntryView":
        return cls(
            chain_id=entry.chain_id,
            consented=entry.consented,
            at=entry.at,
            source=entry.source.value,
            wording_version=entry.wording_version,
        )


class MessageView(BaseModel):
    """A message to the person and where it is (no address, no link)."""

    message_id: str
    kind: str
    chain_id: str | None
    status: Literal["queued", "sent", "failed"]
    created_at: datetime
    sent_at: datetime | None
    reason: str | None

    @classmethod
    def of(cls, message: Message) -> "MessageView":
        return cls(
            message_id=message.message_id,
            kind=message.kind.value,
            chain_id=message.chain_id,
            status=message.status.value,
            created_at=message.created_at,
            sent_at=message.sent_at,
            reason=message.reason if message.status == "failed" else None,
        )


class ConsentPage(BaseModel):
    """A page of the consent history, newest first."""

    items: list[ConsentEntryView]
    next_cursor: str | None


class MessagePage(BaseModel):
    """A page of the person's messages, newest first."""

    items: list[MessageView]
    next_cursor: str | None


class CampaignView(BaseModel):
    """A marketing send and how far it is."""

    campaign_id: str
    chain_id: str
    kind: str
    status: Literal["streaming", "queued"]
    queued: int
    skipped: int
    created_at: datetime
