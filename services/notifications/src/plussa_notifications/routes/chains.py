"""The chains and partners: public reference data, extended by operators."""

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from plussa_notifications import views
from plussa_notifications.domain.chains import CHAIN_ID_PATTERN, Chain, ChainKind, ChainNames
from plussa_notifications.keys import context
from plussa_notifications.routes import examples
from plussa_notifications.use_cases import chains as use
from plussa_shared.auth import Access
from plussa_shared.caching import Cache
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="chains")


class ChainIn(BaseModel):
    """A new chain or partner."""

    model_config = ConfigDict(extra="forbid", strict=True)

    chain_id: str = Field(pattern=CHAIN_ID_PATTERN, description="Lower-case ASCII id, e.g. k-citymarket.")
    kind: ChainKind
    names: ChainNames


@routes.get(
    "/v1/chains",
    summary="The chains and partners to choose from",
    access=Access.anyone(),
    response=views.ChainList,
    operation_id="listChains",
    description="Public reference data: every K-Group chain and named partner a person can choose "
    "e-mail from, with its name in Finnish, Swedish and English. Caches may keep it five minutes.",
    response_example=examples.CHAINS,
    cache=Cache.public(300),
    localized="all",
)
async def list_chains(request: web.Request) -> views.ChainList:
    """Anyone may read it."""
    return await views.chains(context(request))


@routes.post(
    "/v1/chains",
    summary="Add a chain or partner",
    access=Access.services("ops"),
    body=ChainIn,
    response=views.ChainView,
    status=201,
    errors=(409,),
    operation_id="addChain",
    description="An operator adds a chain or partner without a code change; people can choose it at "
    "once. An id already taken is a 409 chain-exists.",
    request_example=examples.CHAIN_IN,
    response_example=examples.CHAIN,
    idempotent=True,
    location="/v1/chains/{chain_id}",
    localized="all",
)
async def add_chain(request: web.Request, body: ChainIn) -> views.ChainView:
    """Operators only."""
    chain = Chain(chain_id=body.chain_id, kind=body.kind, names=body.names)
    return views.ChainView.of(await use.add_chain(context(request), chain))


@routes.get(
    "/v1/chains/{chain_id}",
    summary="One chain or partner",
    access=Access.anyone(),
    response=views.ChainView,
    errors=(404,),
    operation_id="getChain",
    description="Public reference data: one chain or partner and its names.",
    response_example=examples.CHAIN,
    cache=Cache.public(300),
    localized="all",
)
async def get_chain(request: web.Request, chain_id: str) -> views.ChainView:
    """Anyone may read it."""
    return await views.chain(context(request), chain_id)
