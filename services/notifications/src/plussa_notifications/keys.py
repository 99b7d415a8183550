"""Typed application state keys of the notifications service."""

from aiohttp import web

from plussa_notifications.context import NotificationsContext

CONTEXT = web.AppKey("notifications", NotificationsContext)
