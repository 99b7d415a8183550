from datetime import timedelta

import pytest

from plussa_benefits.domain.offers import Qualification, Reward, RewardKind
from plussa_benefits.domain.texts import Texts
from plussa_benefits.domain.wallet import Catalogue
from plussa_benefits.showcase import Showcase
from plussa_benefits.store.mappers import ShownOffer
from plussa_benefits.views import MyOfferView, my_offer
from plussa_shared.paging import Page, page_json

from .builders import NOW, published

AWKWARD = Texts(fi='Kahvi "Juhla" \\ 2 €', sv="Kaffe\nåäö </script>", en="Coffee \u2028 \U0001f600 \x01")


def _offers() -> Catalogue:
    plain = published("offer-1")
    awkward = published(
        "offer-2",
        title=AWKWARD,
        description=AWKWARD,
        valid_from=NOW - timedelta(days=1, microseconds=123),
        valid_until=NOW + timedelta(days=30, microseconds=987_654),
        qualification=Qualification(categories=frozenset({"grocery"}), min_spend_cents=0),
        reward=Reward(RewardKind.PERCENT, 1500),
        needs_activation=False,
        limit_per_person=7,
    )
    return Catalogue((plain, awkward), {})


HELD = [ShownOffer("offer-2", 1234, False, 3), ShownOffer("offer-1", 0, True, 0), ShownOffer("offer-2", -5, False, 0)]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("cursor", [None, "eyJzIjoicmFuayJ9"])
def test_a_prepared_page_is_byte_for_byte_what_the_page_model_serialises(language: str, cursor: str | None) -> None:
    catalogue = _offers()
    ranked = [(entry, catalogue.by_id[entry.offer_id]) for entry in HELD]
    expected = Page[MyOfferView](items=[my_offer(e, o, language) for e, o in ranked], next_cursor=cursor)

    prepared = page_json(Showcase().items(ranked, catalogue, language), cursor)

    assert prepared == expected.model_dump_json().encode()


def test_an_offer_changed_in_a_reloaded_catalogue_is_shown_with_its_new_terms() -> None:
    showcase = Showcase()
    before = _offers()
    entry = HELD[1]
    showcase.items([(entry, before.by_id["offer-1"])], before, "en")

    changed = published("offer-1", title=Texts(fi="Uusi", sv="Ny", en="New"))
    after = Catalogue((changed,), {})
    [shown] = showcase.items([(entry, changed)], after, "en")

    assert MyOfferView.model_validate_json(shown).title == "New"


def test_an_empty_page_is_an_empty_list_of_items() -> None:
    assert page_json([], None) == Page[MyOfferView](items=[], next_cursor=None).model_dump_json().encode()
