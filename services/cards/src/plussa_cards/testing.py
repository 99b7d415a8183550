"""A small client of the cards API for tests, here and in services that need real households and cards."""

import itertools
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from plussa_shared.testing.tokens import TestTokens

_people = itertools.count()


@dataclass(frozen=True)
class Holder:
    """A member as the API returned them, with a token to act as them."""

    person_id: str
    household_id: str
    card: dict[str, Any]
    headers: dict[str, str]


def unique_person(first_name: str = "Maija") -> dict[str, Any]:
    """A person's details that no other test person shares (names and birth dates make identity)."""
    n = next(_people)
    suffix = uuid.uuid4().hex[:6]
    born = date(1950, 1, 1) + timedelta(days=n % 20000)
    return {"first_name": first_name, "last_name": f"Testinen-{suffix}", "date_of_birth": born.isoformat()}


async def problem(resp: Any) -> tuple[int, str]:
    """The status and problem type slug of an RFC 9457 response."""
    assert resp.content_type == "application/problem+json", await resp.text()
    body = await resp.json()
    assert body["status"] == resp.status
    return resp.status, str(body["type"]).rsplit("/", 1)[-1]


class CardsApi:
    """Drives the cards service over HTTP as customers, stores, tills and the bank would."""

    __test__ = False

    def __init__(self, client: Any, tokens: TestTokens) -> None:
        self.client = client
        self.tokens = tokens

    def as_customer(self, person_id: str, household_id: str | None = None, role: str = "main") -> dict[str, str]:
        """Headers of a signed-in customer."""
        return self.tokens.bearer(self.tokens.customer(person_id, household_id, role))

    def as_service(self, *scopes: str) -> dict[str, str]:
        """Headers of a store, till or bank system."""
        return self.tokens.bearer(self.tokens.service("system-" + "-".join(scopes), *scopes))

    async def apply(self, first_name: str = "Maija", **overrides: Any) -> Holder:
        """A new member with a household and an active main card."""
        person = unique_person(first_name)
        body = {
            **person,
            "email": f"{person['last_name'].lower()}@example.fi",
            "language": "fi",
            "address": {"street": "Mannerheimintie 1", "postal_code": "00100", "city": "Helsinki"},
            **overrides,
        }
        resp = await self.client.post("/v1/applications", json=body)
        assert resp.status == 201, await resp.text()
        joined = await resp.json()
        headers = self.as_customer(joined["person_id"], joined["household_id"], "main")
        return Holder(joined["person_id"], joined["household_id"], joined["card"], headers)

    async def add_parallel(self, main: Holder, first_name: str = "Matti") -> Holder:
        """The main holder orders a parallel card."""
        resp = await self.client.post(
            "/v1/me/household/parallel-holders", json=unique_person(first_name), headers=main.headers
        )
        assert resp.status == 201, await resp.text()
        added = await resp.json()
        headers = self.as_customer(added["person_id"], added["household_id"], "parallel")
        return Holder(added["person_id"], added["household_id"], added["card"], headers)

    async def look_up(self, card_number: str) -> dict[str, Any]:
        """What a till sees for a card number."""
        resp = await self.client.get(f"/v1/lookup/cards/{card_number}", headers=self.as_service("cards:lookup"))
        assert resp.status == 200, await resp.text()
        result: dict[str, Any] = await resp.json()
        return result
