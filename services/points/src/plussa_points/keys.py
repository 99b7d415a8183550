"""Typed application state of the points service."""

from aiohttp import web

from plussa_points.context import PointsContext

POINTS = web.AppKey("points", PointsContext)
