"""The notifications API keeps to its OpenAPI document, which a BFF generator can use."""

from plussa_shared.testing.contract import Contract, assert_routes_documented

from .conftest import Harness


async def test_every_route_is_documented_with_an_operation_id_a_description_and_valid_examples(
    harness: Harness,
) -> None:
    assert_routes_documented(harness.client.app)


async def test_the_answers_of_a_journey_match_the_document(harness: Harness) -> None:
    contract = Contract.of(harness.client.app)
    me = harness.customer("p-doc")
    ops = harness.tokens.bearer(harness.tokens.operator("ops-1", "ops"))

    answers = [
        await harness.client.get("/v1/chains"),
        await harness.client.get("/v1/chains/k-rauta"),
        await harness.client.get("/v1/chains/k-nowhere"),
        await harness.client.get("/v1/me/preferences", headers=me),
        await harness.client.patch("/v1/me/preferences", json={"consents": {"k-rauta": True}}, headers=me),
        await harness.client.patch("/v1/me/preferences", json={"consents": {"k-x": True}}, headers=me),
        await harness.client.patch(
            "/v1/me/preferences", json={"consents": {"k-rauta": False}}, headers={**me, "If-Match": '"0"'}
        ),
        await harness.client.get("/v1/me/consents?limit=1", headers=me),
        await harness.client.get("/v1/me/messages", headers=me),
        await harness.client.post(
            "/v1/chains",
            json={"chain_id": "k-doc", "kind": "partner", "names": {"fi": "D", "sv": "D", "en": "D"}},
            headers=ops,
        ),
    ]

    for answer in answers:
        await contract.check_response(answer)
    assert [a.status for a in answers] == [200, 200, 404, 200, 200, 422, 412, 200, 200, 201]
    assert answers[3].headers["ETag"] == '"0"'
    assert answers[3].headers["Cache-Control"] == "no-store"
    assert answers[9].headers["Location"] == "/v1/chains/k-doc"
