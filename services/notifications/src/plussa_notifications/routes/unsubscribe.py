"""One-click unsubscribe from a marketing mail (RFC 8058): no login, the signed link is the proof."""

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from plussa_notifications.domain.chains import CHAIN_ID_PATTERN, ChainNames
from plussa_notifications.domain.errors import UnknownChainError, UnsubscribeTokenUsedError
from plussa_notifications.keys import CONTEXT
from plussa_notifications.routes import examples
from plussa_notifications.routes.problems import problems
from plussa_notifications.use_cases import preferences as use
from plussa_shared.auth import Access
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="unsubscribe")
ANYONE = Access.anyone()
PATH = "/v1/unsubscribe/{person_id:[A-Za-z0-9_\\-]{1,64}}/{chain_id:" + CHAIN_ID_PATTERN.strip("^$") + "}"


class TokenQuery(BaseModel):
    """The signed token from the link."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(
        min_length=10,
        max_length=2000,
        pattern=r"^[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*$",
        description="The signed token of the link, exactly as in the mail.",
    )


class UnsubscribeView(BaseModel):
    """What the link stops, and whether the person hears from the chain now."""

    chain_id: str
    names: ChainNames
    consented: bool = Field(description="Whether the person still gets e-mail from this chain.")


async def _view(request: web.Request, person_id: str, chain_id: str) -> UnsubscribeView:
    ctx = request.app[CONTEXT]
    chain = await ctx.store.chain(chain_id)
    if chain is None:
        raise UnknownChainError(chain_id=chain_id)
    prefs = await ctx.store.preferences(person_id)
    return UnsubscribeView(chain_id=chain_id, names=chain.names, consented=prefs.may_receive_marketing(chain_id))


@routes.get(
    PATH,
    summary="What an unsubscribe link stops",
    access=ANYONE,
    query=TokenQuery,
    response=UnsubscribeView,
    errors=(403, 409, 422),
    operation_id="showUnsubscribe",
    description="Opened from the link in a marketing mail: shows the chain the link stops and changes "
    "nothing (mail scanners follow links). A forged or expired token, or one for another person or "
    "chain, is a 403; a used one a 409.",
    response_example=examples.UNSUBSCRIBE,
    localized="all",
)
@problems
async def show_unsubscribe(request: web.Request, person_id: str, chain_id: str, query: TokenQuery) -> UnsubscribeView:
    """No login: the token is the proof."""
    ctx = request.app[CONTEXT]
    claim = use.read_unsubscribe_token(ctx, person_id, chain_id, query.token)
    if await ctx.store.unsubscribe_token_used(claim.token_id):
        raise UnsubscribeTokenUsedError()
    return await _view(request, person_id, chain_id)


@routes.post(
    PATH,
    summary="One-click unsubscribe",
    access=ANYONE,
    query=TokenQuery,
    response=UnsubscribeView,
    errors=(403, 409, 422),
    operation_id="unsubscribeOneClick",
    description="RFC 8058: the mail client posts `List-Unsubscribe=One-Click` (any body is accepted "
    "and ignored). The consent to the chain is withdrawn and kept in the person's history with the "
    "source unsubscribe_link. Each link works once: a second use is a 409 unsubscribe-token-used.",
    response_example=examples.UNSUBSCRIBE,
    localized="all",
)
@problems
async def one_click_unsubscribe(
    request: web.Request, person_id: str, chain_id: str, query: TokenQuery
) -> UnsubscribeView:
    """No login: the token is the proof."""
    await request.read()  # the RFC 8058 form body carries nothing the link does not
    await use.unsubscribe_by_link(request.app[CONTEXT], person_id, chain_id, query.token)
    return await _view(request, person_id, chain_id)
