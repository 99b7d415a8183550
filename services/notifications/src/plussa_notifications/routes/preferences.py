"""My contact preferences, my consent history and my messages; customer service's changes."""

from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from plussa_notifications import views
from plussa_notifications.domain.chains import CHAIN_ID_PATTERN
from plussa_notifications.domain.consent import ConsentSource
from plussa_notifications.keys import CONTEXT
from plussa_notifications.routes.problems import problems
from plussa_notifications.store.paging import encode_cursor
from plussa_notifications.use_cases import preferences as use
from plussa_shared.auth import Access
from plussa_shared.errors import ProblemError
from plussa_shared.keys import principal
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="preferences")
CUSTOMER = Access.customers()
CUSTOMER_SERVICE = Access.services("ops", "notifications:customer-service")

ChainId = Annotated[str, StringConstraints(pattern=CHAIN_ID_PATTERN)]


class PreferencesIn(BaseModel):
    """Consents to give (true) or withdraw (false); chains not named stay as they are."""

    model_config = ConfigDict(extra="forbid", strict=True)

    consents: dict[ChainId, bool] = Field(min_length=1, max_length=100, examples=[{"k-citymarket": True}])
    wording_version: str | None = Field(default=None, pattern=r"^[\w.\-]{1,40}$")


class PageQuery(BaseModel):
    """One page of a list."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=500, pattern=r"^[A-Za-z0-9_\-]+$")


class PreconditionFailedError(ProblemError):
    status = 412
    slug = "precondition-failed"
    title = "If-Match does not name a version"


def _expected_version(request: web.Request) -> int | None:
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    try:
        return int(header.strip().removeprefix("W/").strip('"'))
    except ValueError as exc:
        raise PreconditionFailedError() from exc


async def _preferences_response(request: web.Request, person_id: str) -> web.Response:
    ctx = request.app[CONTEXT]
    prefs = await ctx.store.preferences(person_id)
    view = views.PreferencesView.of(prefs, await ctx.store.chains())
    response = web.json_response(text=view.model_dump_json())
    response.headers["ETag"] = f'"{prefs.version}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@routes.get("/v1/me/preferences", summary="My contact preferences", access=CUSTOMER, response=views.PreferencesView)
async def get_preferences(request: web.Request) -> web.Response:
    """Which chains and partners may send me e-mail about benefits and offers."""
    return await _preferences_response(request, principal(request).require_customer())


@routes.patch(
    "/v1/me/preferences",
    summary="Give or withdraw consents",
    access=CUSTOMER,
    body=PreferencesIn,
    response=views.PreferencesView,
    errors=(412, 422),
)
@problems
async def patch_preferences(request: web.Request, body: PreferencesIn) -> web.Response:
    """Every change is kept in my consent history with its time and the wording I saw."""
    person_id = principal(request).require_customer()
    await use.change_preferences(
        request.app[CONTEXT],
        person_id,
        body.consents,
        source=ConsentSource.PORTAL,
        wording_version=body.wording_version,
        expected_version=_expected_version(request),
    )
    return await _preferences_response(request, person_id)


@routes.patch(
    "/v1/people/{person_id}/preferences",
    summary="Record a consent change given to customer service",
    access=CUSTOMER_SERVICE,
    body=PreferencesIn,
    response=views.PreferencesView,
    errors=(412, 422),
)
@problems
async def patch_person_preferences(request: web.Request, person_id: str, body: PreferencesIn) -> web.Response:
    """Customer service records what the person asked for on the phone or at a store."""
    await use.change_preferences(
        request.app[CONTEXT],
        person_id,
        body.consents,
        source=ConsentSource.CUSTOMER_SERVICE,
        wording_version=body.wording_version,
        expected_version=_expected_version(request),
    )
    return await _preferences_response(request, person_id)


@routes.get(
    "/v1/me/consents", summary="My consent history", access=CUSTOMER, query=PageQuery, response=views.ConsentPage
)
@problems
async def get_consents(request: web.Request, query: PageQuery) -> views.ConsentPage:
    """Every consent I gave or withdrew, newest first."""
    ctx = request.app[CONTEXT]
    person_id = principal(request).require_customer()
    entries = await ctx.store.consent_history(person_id, query.limit + 1, query.cursor)
    page = entries[: query.limit]
    more = len(entries) > query.limit
    return views.ConsentPage(
        items=[views.ConsentEntryView.of(e) for e in page],
        next_cursor=encode_cursor(page[-1].at, page[-1].entry_id) if more else None,
    )


@routes.get(
    "/v1/me/messages", summary="The messages sent to me", access=CUSTOMER, query=PageQuery, response=views.MessagePage
)
@problems
async def get_messages(request: web.Request, query: PageQuery) -> views.MessagePage:
    """Newest first, each with its status: queued, sent or failed."""
    ctx = request.app[CONTEXT]
    person_id = principal(request).require_customer()
    found = await ctx.store.my_messages(person_id, query.limit + 1, query.cursor)
    page = found[: query.limit]
    more = len(found) > query.limit
    return views.MessagePage(
        items=[views.MessageView.of(m) for m in page],
        next_cursor=encode_cursor(page[-1].created_at, page[-1].message_id) if more else None,
    )
