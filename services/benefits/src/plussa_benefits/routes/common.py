"""What the benefits routes share: the context and path ids."""

import re

from aiohttp import web

from plussa_benefits.context import BenefitsContext
from plussa_shared.errors import BadRequestError
from plussa_shared.keys import context_of

ID = r"^[A-Za-z0-9_.\-]{1,100}$"


def ctx_of(request: web.Request) -> BenefitsContext:
    """The service's context."""
    return context_of(request.app, BenefitsContext)


def path_id(value: str) -> str:
    """A path id as this service makes them; anything else cannot exist (400)."""
    if not re.fullmatch(ID, value):
        raise BadRequestError("Not a valid id", slug="malformed-id")
    return value
