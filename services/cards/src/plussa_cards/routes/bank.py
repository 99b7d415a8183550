"""What the issuing bank does with its service credential: link and block K-Plussa MasterCards."""

from typing import Annotated, Literal

from aiohttp import web
from pydantic import BaseModel, Field, StringConstraints

from plussa_cards import views
from plussa_cards.domain.payment_card import PaymentCard
from plussa_cards.keys import context
from plussa_cards.routes import examples as ex
from plussa_cards.routes.models import PersonId, Strict
from plussa_cards.use_cases import payment_cards
from plussa_shared.auth import Access
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="bank")

BANK = "cards:bank"


class PaymentCardIn(Strict):
    """A payment card to link: the member, the network's token and the last four digits, nothing more."""

    person_id: PersonId
    network: Literal["mastercard"] = "mastercard"
    network_token: Annotated[str, StringConstraints(min_length=8, max_length=256, pattern=r"^[A-Za-z0-9._:\- ]+$")]
    last4: Annotated[str, StringConstraints(min_length=1, max_length=32)]


class PaymentCardBlockIn(Strict):
    """Why the bank blocks the card."""

    reason: Literal["lost", "stolen", "fraud", "closed", "issuer"]


class PaymentCardOut(BaseModel):
    """A linked payment card; its token is not echoed back."""

    payment_card_id: str
    household_id: str
    person_id: str
    network: str
    last4: str
    state: Literal["active", "blocked", "unlinked"] = Field(
        description="`blocked` by the bank; `unlinked` when its holder left the household (it went with them)."
    )

    @classmethod
    def of(cls, card: PaymentCard) -> "PaymentCardOut":
        """The view of ``card``."""
        return cls(
            payment_card_id=card.payment_card_id,
            household_id=card.household_id,
            person_id=card.person_id,
            network=card.network,
            last4=card.last4,
            state=card.state.value,
        )


PAYMENT_CARD_EXAMPLE = {
    "payment_card_id": "f1e2d3c4b5a64978a1b2c3d4e5f60718",
    "household_id": ex.HOUSEHOLD_ID,
    "person_id": ex.MAIN_ID,
    "network": "mastercard",
    "last4": "4242",
    "state": "active",
}


@routes.get(
    "/v1/bank/payment-cards/{payment_card_id}",
    summary="A linked K-Plussa MasterCard",
    access=Access.services(BANK),
    response=PaymentCardOut,
    errors=(404,),
    operation_id="getPaymentCard",
    description="A payment card the bank linked, with the household it earns for and its state.",
    response_example=PAYMENT_CARD_EXAMPLE,
)
async def get_payment_card(request: web.Request, payment_card_id: str) -> PaymentCardOut:
    """Its token is not echoed back."""
    return PaymentCardOut.of(await views.payment_card_view(context(request), payment_card_id))


@routes.post(
    "/v1/bank/payment-cards",
    summary="Link a K-Plussa MasterCard to a member (token and last four digits only)",
    access=Access.services(BANK),
    body=PaymentCardIn,
    response=PaymentCardOut,
    status=201,
    errors=(404, 409, 422),
    operation_id="linkPaymentCard",
    description=(
        "The issuing bank links a K-Plussa MasterCard to a member's membership: the network's token and "
        "the last four digits only; anything that looks like a full card number is refused and never "
        "stored. A card that left a household with its holder is linked again to their new household."
    ),
    request_example={
        "person_id": ex.MAIN_ID,
        "network": "mastercard",
        "network_token": "tok_5f2b9c1e7a",
        "last4": "4242",
    },
    response_example=PAYMENT_CARD_EXAMPLE,
    idempotent=True,
    location="/v1/bank/payment-cards/{payment_card_id}",
)
async def link_payment_card(request: web.Request, body: PaymentCardIn) -> PaymentCardOut:
    """Anything that looks like a full card number is refused and never stored."""
    card = await payment_cards.link_payment_card(
        context(request), body.person_id, body.network, body.network_token, body.last4
    )
    return PaymentCardOut.of(card)


@routes.post(
    "/v1/bank/payment-cards/{payment_card_id}/block",
    summary="Block a K-Plussa MasterCard",
    access=Access.services(BANK),
    body=PaymentCardBlockIn,
    response=PaymentCardOut,
    errors=(404, 409, 422),
    operation_id="blockPaymentCard",
    description="The issuing bank blocks a K-Plussa MasterCard; purchases paid with it no longer earn as paid with it.",
    request_example={"reason": "lost"},
    response_example={**PAYMENT_CARD_EXAMPLE, "state": "blocked"},
    idempotent=True,
)
async def block_payment_card(request: web.Request, payment_card_id: str, body: PaymentCardBlockIn) -> PaymentCardOut:
    """Purchases paid with it no longer earn as paid with it."""
    card = await payment_cards.block_payment_card(context(request), payment_card_id, body.reason)
    return PaymentCardOut.of(card)
