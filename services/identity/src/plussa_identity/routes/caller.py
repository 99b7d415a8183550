"""Who is calling: the client address and the signed-in person's live session."""

from aiohttp import web

from plussa_identity.bootstrap import Identity
from plussa_identity.domain.login_session import LoginSession
from plussa_identity.keys import IDENTITY
from plussa_identity.use_cases.sessions import current_session
from plussa_shared.keys import principal


def identity_of(request: web.Request) -> Identity:
    """The identity service's dependencies."""
    return request.app[IDENTITY]


def client_address(request: web.Request) -> str:
    """The client's address; behind a trusted proxy, the hop that proxy appended.

    The last X-Forwarded-For entry is the one our proxy wrote; earlier entries come
    from the client and would let a guesser pick a fresh address for every try.
    """
    if identity_of(request).settings.trust_forwarded_for:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
        if forwarded:
            return forwarded[:64]
    return request.remote or "unknown"


async def live_session(request: web.Request) -> LoginSession:
    """The signed-in customer's session, checked to be still live (logout ends it at once here)."""
    return await current_session(identity_of(request), principal(request))
