"""The events the benefits service publishes (``source: /plussa/benefits``).

Offer events carry business facts only and are published for partner chains too
(``partner``). Events about a person or a store's causes stay on the internal exchange;
they carry ids and amounts, never names, e-mail or purchase lines.
"""

from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel

from plussa_shared.events import EventData


class LocalText(BaseModel):
    """A text in the programme's three languages."""

    fi: str
    sv: str
    en: str


class RewardOut(BaseModel):
    """``campaign_points`` (points), ``percent`` (basis points of qualifying spend) or ``euro`` (cents)."""

    kind: Literal["campaign_points", "percent", "euro"]
    amount: int


class OfferPublished(EventData):
    """An offer went live for its segment."""

    event_type: ClassVar[str] = "fi.plussa.benefits.offer.published"
    partner: ClassVar[bool] = True
    offer_id: str
    issuer_kind: Literal["chain", "partner"]
    issuer_id: str
    segment_id: str
    title: LocalText
    reward: RewardOut
    needs_activation: bool
    valid_from: datetime
    valid_until: datetime
    version: int
    occurred_at: datetime


class OfferChanged(EventData):
    """A published offer's terms changed before its start."""

    event_type: ClassVar[str] = "fi.plussa.benefits.offer.changed"
    partner: ClassVar[bool] = True
    offer_id: str
    issuer_id: str
    segment_id: str
    title: LocalText
    reward: RewardOut
    needs_activation: bool
    valid_from: datetime
    valid_until: datetime
    version: int
    occurred_at: datetime


class OfferWithdrawn(EventData):
    """An offer was withdrawn: nobody sees it or gets its benefit any more."""

    event_type: ClassVar[str] = "fi.plussa.benefits.offer.withdrawn"
    partner: ClassVar[bool] = True
    offer_id: str
    issuer_id: str
    version: int
    occurred_at: datetime


class OfferTargeted(EventData):
    """Offers became a person's offers (one event for all that one change brought)."""

    event_type: ClassVar[str] = "fi.plussa.benefits.offer.targeted"
    offer_ids: list[str]
    person_id: str
    household_id: str | None
    occurred_at: datetime


class OfferActivated(EventData):
    """A person activated one of their offers."""

    event_type: ClassVar[str] = "fi.plussa.benefits.offer.activated"
    offer_id: str
    person_id: str
    household_id: str | None
    occurred_at: datetime


class OfferRedeemed(EventData):
    """A purchase met one of the person's offers and got its benefit (once per purchase and offer)."""

    event_type: ClassVar[str] = "fi.plussa.benefits.offer.redeemed"
    redemption_id: str
    offer_id: str
    person_id: str
    household_id: str
    purchase_id: str
    reward_kind: Literal["campaign_points", "percent", "euro"]
    amount: int
    """Points for campaign points, cents for a percentage or euro benefit."""
    occurred_at: datetime


class RedemptionReversed(EventData):
    """A return took back (part of) a redemption's benefit."""

    event_type: ClassVar[str] = "fi.plussa.benefits.offer.reversed"
    redemption_id: str
    offer_id: str
    person_id: str
    household_id: str
    purchase_id: str
    return_id: str
    reward_kind: Literal["campaign_points", "percent", "euro"]
    amount: int
    """What was taken back: points or cents."""
    occurred_at: datetime


class CampaignPointsGranted(EventData):
    """Campaign points for the points service to credit on the person's household (once per ``grant_id``)."""

    event_type: ClassVar[str] = "fi.plussa.benefits.campaign_points.granted"
    grant_id: str
    household_id: str
    person_id: str
    offer_id: str
    purchase_id: str | None
    points: int
    occurred_at: datetime


class SponsorshipJoined(EventData):
    """A person joined a cause of a store's programme."""

    event_type: ClassVar[str] = "fi.plussa.benefits.sponsorship.joined"
    person_id: str
    store_id: str
    cause_id: str
    occurred_at: datetime


class SponsorshipSwitched(EventData):
    """A person moved their support in a store to another cause."""

    event_type: ClassVar[str] = "fi.plussa.benefits.sponsorship.switched"
    person_id: str
    store_id: str
    cause_id: str
    previous_cause_id: str | None
    occurred_at: datetime


class SponsorshipLeft(EventData):
    """A person stopped supporting a cause in a store."""

    event_type: ClassVar[str] = "fi.plussa.benefits.sponsorship.left"
    person_id: str
    store_id: str
    cause_id: str
    occurred_at: datetime


class SponsorshipAccrued(EventData):
    """A purchase gave its share to a cause."""

    event_type: ClassVar[str] = "fi.plussa.benefits.sponsorship.accrued"
    purchase_id: str
    person_id: str
    store_id: str
    cause_id: str
    month: str
    eligible_cents: int
    cents: int
    occurred_at: datetime


class CauseTotal(BaseModel):
    """One cause's total in a closed month."""

    cause_id: str
    cents: int


class SponsorshipMonthClosed(EventData):
    """A store's month of sponsorship was closed: the totals to pay per cause."""

    event_type: ClassVar[str] = "fi.plussa.benefits.sponsorship.month_closed"
    store_id: str
    month: str
    totals: list[CauseTotal]
    total_cents: int
    occurred_at: datetime


class ExportCompleted(EventData):
    """Everything the benefits service holds about one person, for their data export (to identity only)."""

    event_type: ClassVar[str] = "fi.plussa.benefits.export.completed"
    recipient: ClassVar[str | None] = "identity"
    request_id: str
    person_id: str
    service: Literal["benefits"] = "benefits"
    data: dict[str, Any]


class ErasureCompleted(EventData):
    """The person's features, offers and memberships are gone; their redemptions and shares are anonymised."""

    event_type: ClassVar[str] = "fi.plussa.benefits.erasure.completed"
    request_id: str
    person_id: str
    service: Literal["benefits"] = "benefits"
    occurred_at: datetime
