from collections.abc import Iterator
from datetime import date
from itertools import chain, repeat

from plussa_cards.context import CardsContext
from plussa_cards.domain.member import PersonDetails
from plussa_cards.settings import CardsSettings
from plussa_cards.testing import CardsApi
from plussa_cards.use_cases.applications import apply
from plussa_shared.keys import DB, MONGO, OUTBOX

RANDOM_DIGITS = 9  # 16 digits: a 6-digit prefix, 9 random digits and the check digit


def digits(*runs: int) -> Iterator[int]:
    return chain.from_iterable(repeat(d, RANDOM_DIGITS) for d in runs)


def person(first_name: str) -> PersonDetails:
    return PersonDetails(first_name=first_name, last_name="Numeroinen", date_of_birth=date(1970, 1, 1))


async def test_a_card_number_already_in_use_is_never_issued_twice(api: CardsApi, cards_settings: CardsSettings) -> None:
    app = api.client.server.app
    # The second application first draws the number the first one got, then a fresh one.
    source = digits(0, 0, 1)
    ctx = CardsContext(cards_settings, app[MONGO], app[DB], app[OUTBOX], random_below=lambda _: next(source))

    first = await apply(ctx, person("Eka"), "192.0.2.1")
    second = await apply(ctx, person("Toka"), "192.0.2.1")

    assert first.card.card_number == "604012000000000" + first.card.card_number[-1]
    assert second.card.card_number.startswith("604012111111111")
    assert (await api.look_up(first.card.card_number))["person_id"] == first.member.person_id
    assert (await api.look_up(second.card.card_number))["person_id"] == second.member.person_id
