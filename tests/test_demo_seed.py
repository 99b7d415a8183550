"""`make run` seeds a demo household through the services' APIs: a main holder and a
parallel holder who can both log in, with cards and purchases, offers and a cause
they support, and a till with service credentials; a restart on the same data keeps it and makes nothing twice."""

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from scripts.seed_demo import DEMO_PASSWORD, MAIN, PARALLEL
from tests.dev_stack_process import DevStackProcess

READY_TIMEOUT_S = 120.0
SEED_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 60.0
OFFERS_TIMEOUT_S = 30.0

pytestmark = pytest.mark.slow


def call(method: str, url: str, body: Any = None, token: str | None = None, form: bool = False) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if body is not None and form:
        data = urllib.parse.urlencode(body).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 - local http URL
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local http URL
        return json.loads(response.read())


def log_in(stack: DevStackProcess, email: str) -> str:
    answer = call("POST", f"{stack.url('identity')}/v1/sessions", {"email": email, "password": DEMO_PASSWORD})
    return str(answer["access_token"])


def printed_till_secret(output: str) -> str:
    line = next(line for line in output.splitlines() if "Demo till" in line)
    return line.rsplit(" / ", 1)[1].strip()


def ranked_offers(stack: DevStackProcess, token: str) -> Any:
    """The person's offers once benefits has taken in the stores' purchases (published on
    the bus, so a moment after the seed ends): each one valued from what they bought."""
    deadline = time.monotonic() + OFFERS_TIMEOUT_S
    while True:
        offers = call("GET", f"{stack.url('benefits')}/v1/me/offers", token=token)
        if all(o["expected_value_cents"] > 0 for o in offers["items"]) or time.monotonic() > deadline:
            return offers
        time.sleep(0.5)


def run_seeded_stack(stack: DevStackProcess) -> dict[str, Any]:
    """Start the stack, wait for seeding, read what a BFF would see, stop it."""
    try:
        stack.start()
        stack.wait_ready(READY_TIMEOUT_S)
        stack.wait_for_output("Press Ctrl-C to stop.", SEED_TIMEOUT_S)
        main_token = log_in(stack, MAIN.email)
        parallel_token = log_in(stack, PARALLEL.email)
        seen = {
            "household": call("GET", f"{stack.url('cards')}/v1/me/household", token=main_token),
            "parallel_household": call("GET", f"{stack.url('cards')}/v1/me/household", token=parallel_token),
            "balance": call("GET", f"{stack.url('points')}/v1/me/balance", token=main_token),
            "offers": ranked_offers(stack, parallel_token),
            "causes": call("GET", f"{stack.url('benefits')}/v1/me/sponsorships", token=main_token),
            "till_token": call(
                "POST",
                f"{stack.url('identity')}/v1/oauth/token",
                {
                    "grant_type": "client_credentials",
                    "client_id": "demo-till",
                    "client_secret": printed_till_secret(stack.output),
                },
                form=True,
            ),
            "output": stack.output,
        }
        assert stack.interrupt(STOP_TIMEOUT_S) == 0, stack.output
        return seen
    finally:
        stack.kill_leftovers()
        stack.delete_broker_objects()


def test_the_demo_household_is_seeded_once_and_both_holders_can_log_in(tmp_path: Path, amqp_url: str) -> None:
    first = run_seeded_stack(DevStackProcess(tmp_path / "mongo", amqp_url, seed=True))
    mongo_port = int((tmp_path / "mongo" / "plussa-mongo-port").read_text())
    again = run_seeded_stack(DevStackProcess(tmp_path / "mongo", amqp_url, seed=True, mongo_port=mongo_port))

    members = {m["role"]: m for m in first["household"]["members"]}
    assert "Demo data created" in first["output"], first["output"]
    assert {m["first_name"] for m in members.values()} == {MAIN.first_name, PARALLEL.first_name}
    assert members["parallel"]["can_use_money"] is True
    assert all(card["state"] == "active" for m in members.values() for card in m["cards"])
    assert first["parallel_household"]["role"] == "parallel"
    assert first["balance"]["total_cents"] > 0
    assert sorted(first["till_token"]["scope"].split()) == ["cards:lookup", "points:ingest", "points:spend"]
    assert len(first["offers"]["items"]) == 2
    values = [o["expected_value_cents"] for o in first["offers"]["items"]]
    assert all(value > 0 for value in values), "benefits did not learn the holder's purchases from the bus"
    assert values == sorted(values, reverse=True)
    assert [c["cause_id"] for c in first["causes"]["items"]] == ["toolo-scouts"]

    assert "Demo data exists" in again["output"], again["output"]
    assert again["household"] == first["household"]
    assert again["balance"] == first["balance"]
