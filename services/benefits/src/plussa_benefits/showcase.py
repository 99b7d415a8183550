"""The open offers as "my offers" shows them, serialised once per offer and language.

What an offer shows (its texts in one language, reward, window) is the same for every
person holding it; only four fields are the person's own. So each offer's part of the
answer is serialised by pydantic once, the first time it is shown in a language, and a
request joins those bytes with the person's fields instead of validating and
serialising every offer again.

The prepared bytes belong to the very ``Offer`` object of the catalogue being shown: a
catalogue reloaded after a change holds new objects, and their bytes are made afresh,
so an answer is never older than the catalogue it was read from.
"""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, TypeAdapter

from plussa_benefits.domain.offers import Offer
from plussa_benefits.domain.wallet import Catalogue
from plussa_benefits.store.mappers import ShownOffer

RewardKind = Literal["campaign_points", "percent", "euro"]


class RewardView(BaseModel):
    """``campaign_points``: points; ``percent``: basis points of the qualifying lines; ``euro``: cents off them."""

    kind: RewardKind
    amount: int = Field(examples=[500])


class OfferFactsView(BaseModel):
    """What one of my offers shows that is the same for everyone holding it, in my language."""

    offer_id: str
    issuer_id: str = Field(description="The chain or partner giving the offer", examples=["k-citymarket"])
    title: str
    description: str
    reward: RewardView
    min_spend_cents: int
    valid_from: datetime
    valid_until: datetime
    needs_activation: bool


_FACTS = TypeAdapter(OfferFactsView)


def offer_facts(o: Offer, language: str) -> OfferFactsView:
    """An offer's shared part in ``language``."""
    t = o.terms
    return OfferFactsView(
        offer_id=o.offer_id,
        issuer_id=o.issuer.issuer_id,
        title=t.title.pick(language),
        description=t.description.pick(language),
        reward=RewardView(kind=t.reward.kind.value, amount=t.reward.amount),
        min_spend_cents=t.qualification.min_spend_cents,
        valid_from=t.valid_from,
        valid_until=t.valid_until,
        needs_activation=t.needs_activation,
    )


class _Prepared:
    """One offer's bytes in one language: everything up to ``"activated":``, and the
    ``limit_per_person`` field that follows the person's own two."""

    __slots__ = ("head", "limit", "offer")

    def __init__(self, o: Offer, language: str) -> None:
        self.offer = o
        self.head = _FACTS.dump_json(offer_facts(o, language))[:-1] + b',"activated":'
        self.limit = b',"limit_per_person":%d,"expected_value_cents":' % o.terms.limit_per_person

    def item(self, entry: ShownOffer) -> bytes:
        """The person's view of the offer, as ``MyOfferView`` serialises it."""
        activated = b"true" if entry.activated else b"false"
        return b'%s%s,"times_used":%d%s%d}' % (self.head, activated, entry.redeemed, self.limit, entry.score)


class Showcase:
    """The prepared bytes of the offers shown so far, per language."""

    def __init__(self) -> None:
        self._prepared: dict[str, dict[str, _Prepared]] = {}

    def items(self, ranked: list[tuple[ShownOffer, Offer]], catalogue: Catalogue, language: str) -> list[bytes]:
        """The JSON of each held offer with its offer (from ``catalogue``), in ``language``."""
        prepared = self._prepared.setdefault(language, {})
        if len(prepared) > 2 * len(catalogue.by_id) + 64:  # offers that ended or were replaced
            prepared.clear()
        out = []
        for entry, o in ranked:
            found = prepared.get(o.offer_id)
            if found is None or found.offer is not o:
                found = prepared[o.offer_id] = _Prepared(o, language)
            out.append(found.item(entry))
        return out
