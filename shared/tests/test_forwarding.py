"""Behind a trusted proxy the end user's address and user agent come from the headers the
proxy sets; from anyone else those headers are ignored."""

from typing import Any

FORWARDED = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7", "X-Forwarded-User-Agent": "Mozilla/5.0 (Aino)"}


async def seen(client: Any, headers: dict[str, str]) -> dict[str, Any]:
    resp = await client.get("/v1/client", headers={"User-Agent": "bff/1.0", **headers})
    return dict(await resp.json())


async def test_forwarded_headers_are_ignored_unless_a_proxy_is_trusted(catalogue: Any) -> None:
    assert await seen(catalogue, FORWARDED) == {"address": "127.0.0.1", "user_agent": "bff/1.0"}


async def test_a_trusted_proxy_names_the_end_user_by_the_hop_it_appended(
    aiohttp_client: Any, catalogue_app: Any
) -> None:
    client = await aiohttp_client(catalogue_app(trusted_proxies=["127.0.0.0/8"]))
    # 203.0.113.9 came from the client itself: only the proxy's own last hop is believed
    assert await seen(client, FORWARDED) == {"address": "198.51.100.7", "user_agent": "Mozilla/5.0 (Aino)"}
    forwarded = await seen(client, {"Forwarded": 'for=203.0.113.9, for="[2001:db8::17]:4711";proto=https'})
    assert forwarded == {"address": "2001:db8::17", "user_agent": "bff/1.0"}


async def test_hops_are_walked_back_only_through_trusted_proxies(aiohttp_client: Any, catalogue_app: Any) -> None:
    client = await aiohttp_client(catalogue_app(trusted_proxies=["127.0.0.0/8", "10.0.0.0/8"]))
    assert (await seen(client, {"X-Forwarded-For": "198.51.100.7, 10.1.2.3"}))["address"] == "198.51.100.7"
    assert (await seen(client, {"X-Forwarded-For": "198.51.100.7, unknown"}))["address"] == "127.0.0.1"


async def test_a_peer_outside_the_trusted_networks_is_not_believed(aiohttp_client: Any, catalogue_app: Any) -> None:
    client = await aiohttp_client(catalogue_app(trusted_proxies=["10.0.0.0/8"]))
    assert await seen(client, FORWARDED) == {"address": "127.0.0.1", "user_agent": "bff/1.0"}
