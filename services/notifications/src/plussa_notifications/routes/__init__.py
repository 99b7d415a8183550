"""HTTP only: parse, call one use case, shape the answer. One module per resource."""

from plussa_notifications.routes import campaigns, chains, preferences, unsubscribe
from plussa_shared.routing import RouteTable

ROUTES: list[RouteTable] = [preferences.routes, unsubscribe.routes, chains.routes, campaigns.routes]
"""Every route table of the notifications service."""
