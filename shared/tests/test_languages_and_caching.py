"""Texts follow Accept-Language with Content-Language; reference data carries all three
languages and may be cached publicly; everything else is no-store."""

from typing import Any

import pytest

from plussa_shared.languages import Language, negotiate


async def test_accept_language_sv_gets_swedish_with_content_language(catalogue: Any) -> None:
    resp = await catalogue.get("/v1/greeting", headers={"Accept-Language": "sv-FI, en;q=0.5"})
    assert (await resp.json())["text"] == "Hej"
    assert resp.headers["Content-Language"] == "sv"
    assert resp.headers["Vary"] == "Accept-Language"


async def test_an_unsupported_language_falls_back_to_the_configured_default(
    aiohttp_client: Any, catalogue_app: Any
) -> None:
    finnish = await aiohttp_client(catalogue_app())
    resp = await finnish.get("/v1/greeting", headers={"Accept-Language": "de"})
    assert ((await resp.json())["text"], resp.headers["Content-Language"]) == ("Hei", "fi")
    english = await aiohttp_client(catalogue_app(default_language="en"))
    resp = await english.get("/v1/greeting")
    assert ((await resp.json())["text"], resp.headers["Content-Language"]) == ("Hello", "en")


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        ("en-GB,en;q=0.9,fi;q=0.8", Language.EN),
        ("de, sv;q=0.2, fi;q=0.1", Language.SV),
        ("fi;q=0, sv;q=0.1", Language.SV),
        ("*", Language.FI),
        ("", Language.FI),
        ("sv;q=nonsense, en", Language.EN),
    ],
)
def test_negotiation_follows_quality_values(header: str, chosen: Language) -> None:
    assert negotiate(header, Language.FI) == chosen


async def test_reference_data_carries_three_languages_and_is_publicly_cacheable(catalogue: Any) -> None:
    resp = await catalogue.get("/v1/colours")
    colours = await resp.json()
    assert colours[0]["name"] == {"fi": "sininen", "sv": "blå", "en": "blue"}
    assert resp.headers["Content-Language"] == "fi, sv, en"
    assert resp.headers["Cache-Control"] == "public, max-age=3600"


async def test_personal_answers_and_problems_are_no_store_and_problems_say_they_are_english(
    catalogue: Any, aino: dict[str, str]
) -> None:
    mine = await catalogue.get("/v1/items", headers=aino)
    assert (mine.status, mine.headers["Cache-Control"]) == (200, "no-store")
    refused = await catalogue.get("/v1/items")
    assert (refused.status, refused.headers["Cache-Control"]) == (401, "no-store")
    assert refused.headers["Content-Language"] == "en"
