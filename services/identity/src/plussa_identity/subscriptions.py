"""Every event identity consumes, in one table: event type, identity's copy of its schema,
and the use case it runs (bound to the context once, at start)."""

from functools import partial
from typing import Any

from plussa_identity.context import IdentityContext
from plussa_identity.events.consumed import (
    CARD_EVENT_TYPES,
    AccessChanged,
    CardChanged,
    ErasureAnswer,
    ErasureRefusal,
    ExportAnswer,
    HouseholdCreated,
    HouseholdHandedOver,
    MemberAdded,
    MemberRemoved,
    MemberRenamed,
    MemberRoleChanged,
)
from plussa_identity.use_cases import privacy, read_model
from plussa_shared.subscription import Subscription

REFUSING = ("cards",)
"""The participants that may refuse an erasure (``{service}.erasure.refused``)."""


def subscriptions(ctx: IdentityContext) -> list[Subscription[Any]]:
    """Identity's read model of cards and members, and the participants' answers to the
    export and erasure requests it coordinates."""
    answering = [service for service in ctx.settings.privacy_participants if service != "identity"]
    return [
        *(Subscription(t, CardChanged, partial(read_model.card_changed, ctx)) for t in CARD_EVENT_TYPES),
        Subscription("fi.plussa.cards.household.created", HouseholdCreated, partial(read_model.household_created, ctx)),
        Subscription("fi.plussa.cards.member.added", MemberAdded, partial(read_model.member_added, ctx)),
        Subscription("fi.plussa.cards.member.renamed", MemberRenamed, partial(read_model.member_renamed, ctx)),
        Subscription("fi.plussa.cards.member.removed", MemberRemoved, partial(read_model.member_removed, ctx)),
        Subscription("fi.plussa.cards.access.granted", AccessChanged, partial(read_model.access_changed, ctx)),
        Subscription("fi.plussa.cards.access.withdrawn", AccessChanged, partial(read_model.access_changed, ctx)),
        Subscription("fi.plussa.cards.member.role_changed", MemberRoleChanged, partial(read_model.role_changed, ctx)),
        Subscription(
            "fi.plussa.cards.household.handed_over", HouseholdHandedOver, partial(read_model.handed_over, ctx)
        ),
        *(
            Subscription(
                f"fi.plussa.{s}.export.completed", ExportAnswer, partial(privacy.export_answered, ctx), private=True
            )
            for s in answering
        ),
        *(
            Subscription(f"fi.plussa.{s}.erasure.completed", ErasureAnswer, partial(privacy.erasure_answered, ctx))
            for s in answering
        ),
        *(
            Subscription(f"fi.plussa.{s}.erasure.refused", ErasureRefusal, partial(privacy.erasure_refused, ctx))
            for s in answering
            if s in REFUSING
        ),
    ]
