"""Marketing sends from a chain or partner to the people who consented to it."""

from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from plussa_notifications import views
from plussa_notifications.domain.campaigns import LocalizedText
from plussa_notifications.domain.chains import CHAIN_ID_PATTERN
from plussa_notifications.domain.messages import MessageKind
from plussa_notifications.keys import context
from plussa_notifications.routes import examples
from plussa_notifications.use_cases import campaigns as use
from plussa_shared.auth import Access
from plussa_shared.keys import principal
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="campaigns")
SENDERS = Access.services("notifications:send", "ops")


class CampaignIn(BaseModel):
    """An offer or newsletter in the three languages; each person gets theirs."""

    model_config = ConfigDict(extra="forbid", strict=True)

    chain_id: str = Field(pattern=CHAIN_ID_PATTERN)
    kind: Literal["offer", "newsletter"]
    title: LocalizedText
    text: LocalizedText


@routes.post(
    "/v1/campaigns",
    summary="Send an offer or newsletter to everyone who consented to the chain",
    access=SENDERS,
    body=CampaignIn,
    response=views.CampaignView,
    status=201,
    errors=(403, 422),
    operation_id="startCampaign",
    description="A chain's or partner's system (scope notifications:send and notifications:chain:<chain_id>) "
    "sends for its own chain only; another chain is a 403 chain-not-allowed, an unknown one a 422. "
    "Recipients (people whose consent to the chain stands and whose address is verified) are queued in "
    "the background, each in their own language; consent is checked again just before each mail goes. "
    "Send an Idempotency-Key so a retry never starts a second campaign.",
    request_example=examples.CAMPAIGN_IN,
    response_example=examples.CAMPAIGN,
    idempotent=True,
    location="/v1/campaigns/{campaign_id}",
)
async def post_campaign(request: web.Request, body: CampaignIn) -> views.CampaignView:
    """Partner or operator credentials."""
    caller = principal(request)
    found = await use.start_campaign(
        context(request),
        chain_id=body.chain_id,
        kind=MessageKind(body.kind),
        title=body.title,
        text=body.text,
        sender_id=caller.subject,
        sender_scopes=caller.scopes,
    )
    return views.CampaignView.of(found)


@routes.get(
    "/v1/campaigns/{campaign_id}",
    summary="A campaign's progress",
    access=SENDERS,
    response=views.CampaignView,
    errors=(404,),
    operation_id="getCampaign",
    description="How many recipients are queued so far (status streaming, then queued) and how many "
    "consenting people were skipped for want of a verified address. Only for a credential that may "
    "send for the campaign's chain.",
    response_example=examples.CAMPAIGN,
)
async def get_campaign(request: web.Request, campaign_id: str) -> views.CampaignView:
    """Partner or operator credentials."""
    return await views.campaign(context(request), campaign_id, principal(request).scopes)
