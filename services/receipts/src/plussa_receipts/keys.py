"""Typed application state of the receipts service."""

from aiohttp import web

from plussa_receipts.context import ReceiptsContext
from plussa_shared.keys import context_of


def context(request: web.Request) -> ReceiptsContext:
    """The receipts context of this request's application, for a route to pass to a use case."""
    return context_of(request.app, ReceiptsContext)
