"""My contact preferences, my consent history and my messages; customer service's changes."""

from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from plussa_notifications import views
from plussa_notifications.domain.chains import CHAIN_ID_PATTERN
from plussa_notifications.domain.consent import ConsentSource
from plussa_notifications.keys import context
from plussa_notifications.routes import examples
from plussa_notifications.use_cases import preferences as use
from plussa_shared.auth import Access
from plussa_shared.keys import principal
from plussa_shared.paging import Page, PageQuery
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="preferences")
CUSTOMER = Access.customers()
CUSTOMER_SERVICE = Access.services("ops", "notifications:customer-service")

ChainId = Annotated[str, StringConstraints(pattern=CHAIN_ID_PATTERN)]


class PreferencesIn(BaseModel):
    """Consents to give (true) or withdraw (false); chains not named stay as they are."""

    model_config = ConfigDict(extra="forbid", strict=True)

    consents: dict[ChainId, bool] = Field(
        min_length=1, max_length=100, description="Chain or partner id -> whether e-mail from it is wanted."
    )
    wording_version: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.\-]{1,40}$",
        description="The version of the consent text the person saw; the service's current one when omitted.",
    )


@routes.get(
    "/v1/me/preferences",
    summary="My contact preferences",
    access=CUSTOMER,
    response=views.PreferencesView,
    operation_id="getMyPreferences",
    description="Every chain and partner, with whether I want e-mail about its benefits and offers. "
    "The ETag is the version to send in If-Match when changing them.",
    response_example=examples.PREFERENCES,
    etag="version",
    localized="all",
)
async def get_preferences(request: web.Request) -> views.PreferencesView:
    """The signed-in person's own preferences."""
    return await views.preferences(context(request), principal(request).require_customer())


@routes.patch(
    "/v1/me/preferences",
    summary="Give or withdraw consents",
    access=CUSTOMER,
    body=PreferencesIn,
    response=views.PreferencesView,
    errors=(412, 422),
    operation_id="changeMyPreferences",
    description="Gives or withdraws consent to the named chains. Every change is kept in my consent "
    "history with its time, source (portal) and the wording version I saw. An unknown chain refuses "
    "the whole change (422 unknown-chain). With If-Match, a stale version is a 412 and nothing changes.",
    request_example=examples.PREFERENCES_IN,
    response_example=examples.PREFERENCES,
    etag="version",
    conditional=True,
    localized="all",
)
async def patch_preferences(
    request: web.Request, body: PreferencesIn, expected_version: int | None
) -> views.PreferencesView:
    """The signed-in person changes their own preferences."""
    person_id = principal(request).require_customer()
    ctx = context(request)
    await use.change_preferences(
        ctx,
        person_id,
        body.consents,
        source=ConsentSource.PORTAL,
        wording_version=body.wording_version,
        expected_version=expected_version,
    )
    return await views.preferences(ctx, person_id)


@routes.patch(
    "/v1/people/{person_id}/preferences",
    summary="Record a consent change given to customer service",
    access=CUSTOMER_SERVICE,
    body=PreferencesIn,
    response=views.PreferencesView,
    errors=(412, 422),
    operation_id="changePersonPreferences",
    description="Customer service records what a person asked for by phone or in a store; the "
    "history shows the source customer_service.",
    request_example=examples.PREFERENCES_IN,
    response_example=examples.PREFERENCES,
    etag="version",
    conditional=True,
    localized="all",
)
async def patch_person_preferences(
    request: web.Request, person_id: str, body: PreferencesIn, expected_version: int | None
) -> views.PreferencesView:
    """Customer service acts for the person."""
    ctx = context(request)
    await use.change_preferences(
        ctx,
        person_id,
        body.consents,
        source=ConsentSource.CUSTOMER_SERVICE,
        wording_version=body.wording_version,
        expected_version=expected_version,
    )
    return await views.preferences(ctx, person_id)


@routes.get(
    "/v1/me/consents",
    summary="My consent history",
    access=CUSTOMER,
    query=PageQuery,
    response=Page[views.ConsentEntryView],
    operation_id="listMyConsents",
    description="Every consent I gave or withdrew, newest first: the chain, given or withdrawn, when, "
    "where (portal, unsubscribe_link, customer_service) and the wording version shown.",
    response_example=examples.CONSENTS,
)
async def get_consents(request: web.Request, query: PageQuery) -> Page[views.ConsentEntryView]:
    """The signed-in person's own history."""
    person_id = principal(request).require_customer()
    return await views.consent_history(context(request), person_id, query.size, query.cursor)


@routes.get(
    "/v1/me/messages",
    summary="The messages sent to me",
    access=CUSTOMER,
    query=PageQuery,
    response=Page[views.MessageView],
    operation_id="listMyMessages",
    description="Newest first, each with its kind and status: queued (waiting for the mail server), "
    "sent, or failed with the reason. Addresses and links are not shown.",
    response_example=examples.MESSAGES,
)
async def get_messages(request: web.Request, query: PageQuery) -> Page[views.MessageView]:
    """The signed-in person's own messages."""
    person_id = principal(request).require_customer()
    return await views.messages(context(request), person_id, query.size, query.cursor)
