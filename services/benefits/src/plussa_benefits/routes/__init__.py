"""HTTP only: parse, call one use case, shape the answer. One module per resource."""

from plussa_shared.routing import RouteTable

ROUTES: list[RouteTable] = []
"""Every route table of the benefits service (none yet besides health and documents)."""
