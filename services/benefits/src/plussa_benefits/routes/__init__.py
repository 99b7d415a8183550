"""HTTP only: parse, call one use case, shape the answer. One module per resource."""

from plussa_benefits.routes import me, offers, stores
from plussa_shared.routing import RouteTable

ROUTES: list[RouteTable] = [me.routes, offers.routes, stores.routes]
"""Every route table of the benefits service."""
