"""HTTP only: parse, call one use case, shape the answer. One module per resource."""

from plussa_receipts.routes import receipt_service, receipts
from plussa_shared.routing import RouteTable

ROUTES: list[RouteTable] = [receipt_service.routes, receipts.routes]
"""Every route table of the receipts service."""
