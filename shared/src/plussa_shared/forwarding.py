"""Who the end user is behind a trusted proxy (the BFF, a load balancer): their address
and user agent, for throttling and the session list.

Only a peer inside ``trusted_proxies`` is believed. Its forwarded header is read from the
right: the last hop is the one the trusted proxy appended; earlier ones come from the
client and would let a guesser pick a fresh address for every try, so hops are taken
only while the hop that named them is itself trusted. Off (the peer's own address and
user agent) unless ``trusted_proxies`` is set.
"""

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass

from aiohttp import web

from plussa_shared.keys import SETTINGS

FORWARDED_USER_AGENT = "X-Forwarded-User-Agent"
_FOR = re.compile(r'(?:^|;)\s*for\s*=\s*("[^"]*"|[^;,\s]*)', re.IGNORECASE)
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Client:
    """The end user's address and user agent."""

    address: str
    user_agent: str | None


def client_of(request: web.Request) -> Client:
    """The end user of ``request``: behind a trusted proxy, as the proxy forwarded them."""
    trusted: Sequence[Network] = request.app[SETTINGS].trusted_proxies
    peer = request.remote or "unknown"
    user_agent = request.headers.get("User-Agent")
    if not _within(peer, trusted):
        return Client(peer, user_agent)
    hops = forwarded_hops(request)
    address = peer
    while hops and _within(address, trusted):
        address = hops.pop()
    return Client(address, request.headers.get(FORWARDED_USER_AGENT, user_agent))


def forwarded_hops(request: web.Request) -> list[str]:
    """The addresses of RFC 7239 ``Forwarded`` (or else ``X-Forwarded-For``), client first;
    a hop that is not an IP address (``unknown``, an obfuscated name) ends the list there."""
    forwarded = request.headers.getall("Forwarded", [])
    if forwarded:
        raw = [m.group(1) for element in ",".join(forwarded).split(",") for m in _FOR.finditer(element.strip())]
    else:
        raw = [part for value in request.headers.getall("X-Forwarded-For", []) for part in value.split(",")]
    hops: list[str] = []
    for hop in raw:
        address = _address(hop)
        hops = [*hops, str(address)] if address is not None else []
    return hops


def _address(hop: str) -> Address | None:
    text = hop.strip().strip('"')
    if text.startswith("["):  # "[2001:db8::1]:4711"
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:  # "192.0.2.60:4711"
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _within(address: str, networks: Sequence[Network]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)
