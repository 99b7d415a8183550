"""Who is calling: the client address."""

from aiohttp import web

from plussa_identity.keys import context


def client_address(request: web.Request) -> str:
    """The client's address; behind a trusted proxy, the hop that proxy appended.

    The last X-Forwarded-For entry is the one our proxy wrote; earlier entries come
    from the client and would let a guesser pick a fresh address for every try.
    """
    if context(request).settings.trust_forwarded_for:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
        if forwarded:
            return forwarded[:64]
    return request.remote or "unknown"
