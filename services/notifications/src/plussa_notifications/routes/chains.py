"""The chains and partners: public reference data, extended by operators."""

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from plussa_notifications import views
from plussa_notifications.domain.chains import CHAIN_ID_PATTERN, Chain, ChainKind, ChainNames
from plussa_notifications.keys import CONTEXT
from plussa_notifications.routes.problems import problems
from plussa_notifications.use_cases import chains as use
from plussa_shared.auth import Access
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="chains")


class ChainIn(BaseModel):
    """A new chain or partner."""

    model_config = ConfigDict(extra="forbid", strict=True)

    chain_id: str = Field(pattern=CHAIN_ID_PATTERN, examples=["k-kenka"])
    kind: ChainKind
    names: ChainNames


class ChainList(BaseModel):
    """Every chain and partner."""

    items: list[views.ChainView]


@routes.get("/v1/chains", summary="The chains and partners to choose from", access=Access.anyone(), response=ChainList)
async def list_chains(request: web.Request) -> web.Response:
    """Public reference data; caches may keep it for five minutes."""
    chains = await request.app[CONTEXT].store.chains()
    body = ChainList(items=[views.ChainView.of(c) for c in chains])
    response = web.json_response(text=body.model_dump_json())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@routes.post(
    "/v1/chains",
    summary="Add a chain or partner",
    access=Access.services("ops"),
    body=ChainIn,
    response=views.ChainView,
    status=201,
    errors=(409,),
)
@problems
async def add_chain(request: web.Request, body: ChainIn) -> views.ChainView:
    """Operators add one without a code change; people can choose it at once."""
    chain = Chain(chain_id=body.chain_id, kind=body.kind, names=body.names)
    return views.ChainView.of(await use.add_chain(request.app[CONTEXT], chain))
