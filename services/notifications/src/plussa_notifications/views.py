"""What the HTTP API answers: read models shaped for the portal."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from plussa_notifications.context import NotificationsContext
from plussa_notifications.domain.campaigns import may_send_for
from plussa_notifications.domain.chains import Chain, ChainKind, ChainNames
from plussa_notifications.domain.consent import ConsentEntry, ContactPreferences
from plussa_notifications.domain.errors import CampaignNotFoundError, ChainNotFoundError, UnknownChainError
from plussa_notifications.domain.messages import Message
from plussa_shared.mongo import Document
from plussa_shared.paging import Page


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
    subject: str | None = Field(description="The subject line, in the language the mail was written in.")
    language: str
    chain_id: str | None
    status: Literal["queued", "sent", "failed"]
    created_at: datetime
    sent_at: datetime | None
    reason: str | None

    @classmethod
    def of(cls, message: Message, subject: str | None) -> "MessageView":
        return cls(
            message_id=message.message_id,
            kind=message.kind.value,
            subject=subject,
            language=message.language,
            chain_id=message.chain_id,
            status=message.status.value,
            created_at=message.created_at,
            sent_at=message.sent_at,
            reason=message.reason if message.status == "failed" else None,
        )


class CampaignView(BaseModel):
    """A marketing send and how far it is."""

    campaign_id: str
    chain_id: str
    kind: str
    status: Literal["streaming", "queued"]
    queued: int
    skipped: int
    created_at: datetime

    @classmethod
    def of(cls, found: Document) -> "CampaignView":
        return cls(
            campaign_id=found["_id"],
            chain_id=found["chain_id"],
            kind=found["kind"],
            status=found["status"],
            queued=found["queued"],
            skipped=found["skipped"],
            created_at=found["created_at"],
        )


class UnsubscribeView(BaseModel):
    """What an unsubscribe link stops, and whether the person hears from the chain now."""

    chain_id: str
    names: ChainNames
    consented: bool = Field(description="Whether the person still gets e-mail from this chain.")


class ChainList(BaseModel):
    """Every chain and partner."""

    items: list[ChainView]


async def preferences(ctx: NotificationsContext, person_id: str) -> PreferencesView:
    """The person's choices against every chain and partner."""
    prefs = await ctx.store.preferences(person_id)
    return PreferencesView.of(prefs, await ctx.store.chains())


async def consent_history(
    ctx: NotificationsContext, person_id: str, limit: int, cursor: str | None
) -> Page[ConsentEntryView]:
    """A page of the person's consent history, newest first."""
    entries, next_cursor = await ctx.store.consent_history(person_id, limit, cursor)
    return Page(items=[ConsentEntryView.of(e) for e in entries], next_cursor=next_cursor)


async def messages(ctx: NotificationsContext, person_id: str, limit: int, cursor: str | None) -> Page[MessageView]:
    """A page of the person's messages, newest first."""
    found, next_cursor = await ctx.store.my_messages(person_id, limit, cursor)
    return Page(items=[MessageView.of(m, _subject(ctx, m)) for m in found], next_cursor=next_cursor)


def _subject(ctx: NotificationsContext, message: Message) -> str | None:
    try:
        return ctx.renderer.subject(message.kind, message.language, message.data)
    except Exception:  # a message that could not be written has no subject to show
        return None


async def chains(ctx: NotificationsContext) -> ChainList:
    """Every chain and partner."""
    return ChainList(items=[ChainView.of(c) for c in await ctx.store.chains()])


async def chain(ctx: NotificationsContext, chain_id: str) -> ChainView:
    """One chain or partner."""
    found = await ctx.store.chain(chain_id)
    if found is None:
        raise ChainNotFoundError(chain_id=chain_id)
    return ChainView.of(found)


async def unsubscribe(ctx: NotificationsContext, person_id: str, chain_id: str) -> UnsubscribeView:
    """The chain an unsubscribe link names and the person's consent to it now."""
    found = await ctx.store.chain(chain_id)
    if found is None:
        raise UnknownChainError(chain_id=chain_id)
    prefs = await ctx.store.preferences(person_id)
    return UnsubscribeView(chain_id=chain_id, names=found.names, consented=prefs.may_receive_marketing(chain_id))


async def campaign(ctx: NotificationsContext, campaign_id: str, scopes: frozenset[str]) -> CampaignView:
    """A campaign's progress, for a credential that may send for its chain."""
    found = await ctx.store.campaign(campaign_id)
    if found is None or not may_send_for(scopes, found["chain_id"]):
        raise CampaignNotFoundError()
    return CampaignView.of(found)
