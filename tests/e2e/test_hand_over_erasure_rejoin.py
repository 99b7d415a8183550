"""Issue 14's hand-over, erasure and rejoining on cards and identity together, with the
tokens identity signs: a main holder with a parallel holder is asked to hand over first,
hands the household over, is erased everywhere, and applies and registers again as a new
member. And a main holder who asks for the household to be closed: the parallel holder
gets a household of their own and registers as its main holder."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import jwt

from plussa_cards.app import create_app as create_cards_app
from plussa_cards.context import CardsContext
from plussa_cards.settings import CardsSettings
from plussa_cards.testing import unique_person
from plussa_identity.app import create_app as create_identity_app
from plussa_identity.context import IdentityContext
from plussa_identity.settings import IdentitySettings
from plussa_identity.testing import IdentityApi
from plussa_shared.keys import context_of
from plussa_shared.testing.bus import BusProbe, bus_probe

PASSWORD = "kesäinen mökkiranta 42"
FAST_HASHING = {"argon2_time_cost": 1, "argon2_memory_cost_kib": 64, "argon2_parallelism": 1}
PROBLEMS = "https://api.plussa.fi/problems/"
ADDRESS = {"street": "Mannerheimintie 1", "postal_code": "00100", "city": "Helsinki"}


async def until(check: Callable[[], Awaitable[Any]], timeout: float = 20.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


def claims(tokens: dict[str, Any]) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    return decoded


class Stack:
    """Cards and identity in one test; identity signs the tokens cards accepts."""

    def __init__(self, cards: Any, identity: Any, probe: BusProbe) -> None:
        self.cards = cards
        self.identity = identity
        self.api = IdentityApi(identity, probe)
        self.probe = probe

    @property
    def identity_ctx(self) -> IdentityContext:
        return context_of(self.identity.app, IdentityContext)

    @property
    def cards_ctx(self) -> CardsContext:
        return context_of(self.cards.app, CardsContext)

    async def register(self, person: dict[str, Any], card_number: str, email: str) -> dict[str, Any]:
        """Register with the card (once identity has learnt of it), verify the e-mail, log in."""
        body = {
            "card_number": card_number,
            "date_of_birth": person["date_of_birth"],
            "email": email,
            "password": PASSWORD,
            "language": "fi",
        }

        async def registered() -> Any:
            response = await self.identity.post("/v1/registrations", json=body)
            return response if response.status == 201 else None

        person_id = (await (await until(registered)).json())["person_id"]
        [asked] = await self.probe.wait_for(
            "fi.plussa.identity.email_verification.requested", lambda e: e["data"]["person_id"] == person_id
        )
        token = asked["data"]["token"]
        assert (await self.identity.post("/v1/email-verifications", json={"token": token})).status == 200
        return await self.api.login(email, PASSWORD)

    async def apply(self, person: dict[str, Any], email: str) -> dict[str, Any]:
        applied = await self.cards.post(
            "/v1/applications", json={**person, "email": email, "language": "fi", "address": ADDRESS}
        )
        assert applied.status == 201, await applied.text()
        joined: dict[str, Any] = await applied.json()
        return joined

    async def add_parallel(self, main: dict[str, Any], person: dict[str, Any]) -> dict[str, Any]:
        """The main holder orders a parallel card; it arrives and is activated."""
        auth = self.api.bearer(main)
        added = await self.cards.post("/v1/me/household/parallel-holders", json=person, headers=auth)
        assert added.status == 201, await added.text()
        parallel: dict[str, Any] = await added.json()
        if parallel["card"]["state"] != "active":
            activated = await self.cards.post(f"/v1/cards/{parallel['card']['card_id']}/activate", headers=auth)
            assert activated.status == 200, await activated.text()
        return parallel

    async def erased(self, request_id: str) -> None:
        await self.probe.wait_for(
            "fi.plussa.identity.erasure.completed", lambda e: e["data"]["request_id"] == request_id, timeout=20
        )

    async def household(self, tokens: dict[str, Any]) -> dict[str, Any]:
        response = await self.cards.get("/v1/me/household", headers=self.api.bearer(tokens))
        assert response.status == 200, await response.text()
        found: dict[str, Any] = await response.json()
        return found


async def stack(aiohttp_client: Any, settings_for: Any, probe: BusProbe, settings: IdentitySettings) -> Stack:
    identity = await aiohttp_client(create_identity_app(settings))
    jwks_url = str(identity.make_url("/.well-known/jwks.json"))
    cards = await aiohttp_client(create_cards_app(settings_for(CardsSettings, jwks_url=jwks_url)))
    return Stack(cards, identity, probe)


def identity_settings(settings_for: Any) -> IdentitySettings:
    # the privacy participants deployed in this test (the default lists every service)
    found: IdentitySettings = settings_for(IdentitySettings, privacy_participants=["identity", "cards"], **FAST_HASHING)
    return found


def watch(settings: IdentitySettings) -> Any:
    return bus_probe(
        settings.amqp_url.get_secret_value(),
        [settings.amqp_exchange, settings.private_exchange("notifications")],
        "identity.#",
    )


async def test_a_main_holder_hands_the_household_over_is_erased_and_joins_again_as_a_new_member(
    aiohttp_client: Any, settings_for: Any
) -> None:
    settings = identity_settings(settings_for)
    async with watch(settings) as probe:
        s = await stack(aiohttp_client, settings_for, probe, settings)
        aino_person, eero_person = unique_person("Aino"), unique_person("Eero")
        aino_email, eero_email = "aino.hand-over@example.fi", "eero.hand-over@example.fi"
        joined = await s.apply(aino_person, aino_email)
        household_id = joined["household_id"]
        aino = await s.register(aino_person, joined["card"]["card_number"], aino_email)
        eero_member = await s.add_parallel(aino, eero_person)
        eero = await s.register(eero_person, eero_member["card"]["card_number"], eero_email)

        # asked to hand over first
        refused = await s.identity.post("/v1/me/erasure-requests", headers=s.api.bearer(aino))
        assert refused.status == 409
        assert (await refused.json())["type"] == PROBLEMS + "hand-over-first"

        # hands the household over to the parallel holder
        handed = await s.cards.post(
            "/v1/me/household/hand-over", json={"person_id": eero_member["person_id"]}, headers=s.api.bearer(aino)
        )
        assert handed.status == 200, await handed.text()

        async def eero_is_main() -> bool:
            member = await s.identity_ctx.store.member(eero_member["person_id"])
            return member is not None and member.role == "main"

        await until(eero_is_main)
        refreshed = await s.identity.post("/v1/sessions/refresh", json={"refresh_token": eero["refresh_token"]})
        assert refreshed.status == 200, await refreshed.text()
        eero = await refreshed.json()
        assert (claims(eero)["role"], claims(eero)["hh"]) == ("main", household_id)
        assert (await s.household(eero))["role"] == "main"

        # the former main holder, now a parallel holder, is erased everywhere
        async def aino_is_parallel() -> bool:
            member = await s.identity_ctx.store.member(joined["person_id"])
            return member is not None and member.role == "parallel"

        await until(aino_is_parallel)
        started = await s.identity.post("/v1/me/erasure-requests", headers=s.api.bearer(aino))
        assert started.status == 202, await started.text()
        await s.erased((await started.json())["request_id"])

        login = await s.identity.post("/v1/sessions", json={"email": aino_email, "password": PASSWORD})
        assert login.status == 401
        # nothing is found by her id any more, at identity or cards, nor by her name at cards
        assert await s.identity_ctx.store.member(joined["person_id"]) is None
        assert await s.identity_ctx.store.account(joined["person_id"]) is None
        remaining = await s.household(eero)
        assert [m["person_id"] for m in remaining["members"]] == [eero_member["person_id"]]

        async def cards_member(person_id: str) -> Any:
            return await s.cards_ctx.run(lambda uow: s.cards_ctx.store.member(uow, person_id))

        assert await cards_member(joined["person_id"]) is None
        assert await s.cards_ctx.db["members"].count_documents({"last_name": aino_person["last_name"]}) == 0

        # applies again with the same name, date of birth and e-mail: a new member
        rejoined = await s.apply(aino_person, aino_email)
        assert rejoined["person_id"] != joined["person_id"]
        assert rejoined["household_id"] != household_id
        again = await s.register(aino_person, rejoined["card"]["card_number"], aino_email)
        assert (claims(again)["sub"], claims(again)["role"]) == (rejoined["person_id"], "main")
        assert claims(again)["hh"] == rejoined["household_id"]
        assert [m["person_id"] for m in (await s.household(again))["members"]] == [rejoined["person_id"]]
        profile = await s.identity.get("/v1/me/profile", headers=s.api.bearer(again))
        assert (await profile.json())["email"] == aino_email


async def test_a_main_holder_who_closes_the_household_is_erased_and_the_parallel_holder_gets_one_of_their_own(
    aiohttp_client: Any, settings_for: Any
) -> None:
    settings = identity_settings(settings_for)
    async with watch(settings) as probe:
        s = await stack(aiohttp_client, settings_for, probe, settings)
        aino_person, usva_person = unique_person("Aino"), unique_person("Usva")
        aino_email, usva_email = "aino.closing@example.fi", "usva.closing@example.fi"
        joined = await s.apply(aino_person, aino_email)
        aino = await s.register(aino_person, joined["card"]["card_number"], aino_email)
        usva_member = await s.add_parallel(aino, usva_person)

        async def identity_knows_usva() -> bool:
            return await s.identity_ctx.store.member(usva_member["person_id"]) is not None

        await until(identity_knows_usva)
        started = await s.identity.post(
            "/v1/me/erasure-requests", json={"close_household": True}, headers=s.api.bearer(aino)
        )
        assert started.status == 202, await started.text()
        await s.erased((await started.json())["request_id"])

        async def usva_has_own_household() -> Any:
            member = await s.identity_ctx.store.member(usva_member["person_id"])
            moved = member is not None and member.household_id not in (None, joined["household_id"])
            return member if moved and member.role == "main" else None

        moved = await until(usva_has_own_household)
        usva = await s.register(usva_person, usva_member["card"]["card_number"], usva_email)
        assert (claims(usva)["role"], claims(usva)["hh"]) == ("main", moved.household_id)
        own = await s.household(usva)
        assert (own["household_id"], own["role"]) == (moved.household_id, "main")
        assert [m["person_id"] for m in own["members"]] == [usva_member["person_id"]]
        assert [c["card_id"] for c in own["members"][0]["cards"]] == [usva_member["card"]["card_id"]]
        assert (await s.identity.post("/v1/sessions", json={"email": aino_email, "password": PASSWORD})).status == 401
