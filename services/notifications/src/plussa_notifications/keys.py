"""Typed application state of the notifications service."""

from aiohttp import web

from plussa_notifications.context import NotificationsContext
from plussa_shared.keys import context_of


def context(request: web.Request) -> NotificationsContext:
    """The notifications context of this request's application, for a route to pass to a use case."""
    return context_of(request.app, NotificationsContext)
