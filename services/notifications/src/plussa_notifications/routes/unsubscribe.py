"""One-click unsubscribe from a marketing mail (RFC 8058): no login, the signed link is the proof."""

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from plussa_notifications import views
from plussa_notifications.domain.chains import CHAIN_ID_PATTERN
from plussa_notifications.keys import context
from plussa_notifications.routes import examples
from plussa_notifications.use_cases import preferences as use
from plussa_shared.auth import Access
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="unsubscribe")
ANYONE = Access.anyone()
PATH = "/v1/unsubscribe/{person_id}/{chain_id}"
# Checked by the routing layer (422 naming the parameter) and documented in the OpenAPI path.
PATH_PATTERNS = {"person_id": r"^[A-Za-z0-9_\-]{1,64}$", "chain_id": CHAIN_ID_PATTERN}


class TokenQuery(BaseModel):
    """The signed token from the link."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(
        min_length=10,
        max_length=2000,
        pattern=r"^[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*$",
        description="The signed token of the link, exactly as in the mail.",
    )


@routes.get(
    PATH,
    path_patterns=PATH_PATTERNS,
    summary="What an unsubscribe link stops",
    access=ANYONE,
    query=TokenQuery,
    response=views.UnsubscribeView,
    errors=(403, 409, 422),
    operation_id="showUnsubscribe",
    description="Opened from the link in a marketing mail: shows the chain the link stops and changes "
    "nothing (mail scanners follow links). A forged or expired token, or one for another person or "
    "chain, is a 403; a used one a 409.",
    response_example=examples.UNSUBSCRIBE,
    localized="all",
)
async def show_unsubscribe(
    request: web.Request, person_id: str, chain_id: str, query: TokenQuery
) -> views.UnsubscribeView:
    """No login: the token is the proof."""
    ctx = context(request)
    await use.check_unsubscribe_link(ctx, person_id, chain_id, query.token)
    return await views.unsubscribe(ctx, person_id, chain_id)


@routes.post(
    PATH,
    path_patterns=PATH_PATTERNS,
    summary="One-click unsubscribe",
    access=ANYONE,
    query=TokenQuery,
    response=views.UnsubscribeView,
    errors=(403, 409, 422),
    operation_id="unsubscribeOneClick",
    description="RFC 8058: the mail client posts `List-Unsubscribe=One-Click` (any body is accepted "
    "and ignored). The consent to the chain is withdrawn and kept in the person's history with the "
    "source unsubscribe_link. Each link works once: a second use is a 409 unsubscribe-token-used.",
    response_example=examples.UNSUBSCRIBE,
    localized="all",
)
async def one_click_unsubscribe(
    request: web.Request, person_id: str, chain_id: str, query: TokenQuery
) -> views.UnsubscribeView:
    """No login: the token is the proof."""
    await request.read()  # the RFC 8058 form body carries nothing the link does not
    ctx = context(request)
    await use.unsubscribe_by_link(ctx, person_id, chain_id, query.token)
    return await views.unsubscribe(ctx, person_id, chain_id)
