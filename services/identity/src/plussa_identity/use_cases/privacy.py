"""Data export and erasure across the services, started and followed by identity."""

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

import structlog

from plussa_identity.context import IdentityContext
from plussa_identity.domain.errors import (
    AccountNotFoundError,
    ExportNotReadyError,
    PrivacyRequestNotFoundError,
    UnexpectedParticipantError,
)
from plussa_identity.domain.privacy import IDENTITY, Kind, PrivacyRequest, require_erasable
from plussa_identity.events.consumed import ErasureAnswer, ErasureRefusal, ExportAnswer
from plussa_identity.events.published import ErasureCompleted, ErasureRequested, ExportRequested
from plussa_identity.use_cases.sessions import current_session, end_all_sessions
from plussa_shared.auth import Principal
from plussa_shared.context import UnitOfWork
from plussa_shared.events import CloudEvent, EventData
from plussa_shared.mongo import Session

log = structlog.get_logger(__name__)


async def start(
    ctx: IdentityContext, caller: Principal, kind: Kind, *, close_household: bool = False
) -> PrivacyRequest:
    """Open an export or erasure request and ask every participant through one event.

    An erasure of a main holder who still has parallel holders is refused here, before any
    service erases anything (``hand-over-first``), unless it asks to close the household."""
    now = ctx.now()
    person_id = (await current_session(ctx, caller)).person_id
    household_id = caller.household_id
    request_id = uuid.uuid4().hex

    async def work(uow: UnitOfWork) -> PrivacyRequest:
        account = await ctx.store.account(person_id, uow.session)
        if account is None:
            raise AccountNotFoundError("No login")
        request = PrivacyRequest(
            request_id=request_id,
            kind=kind,
            person_id=person_id,
            household_id=household_id,
            requested_at=now,
            participants=tuple(ctx.settings.privacy_participants),
            close_household=close_household and kind == "erasure",
        )
        data: EventData
        if kind == "export":
            data = ExportRequested(
                request_id=request_id, person_id=person_id, household_id=household_id, occurred_at=now
            )
            if IDENTITY in request.participants:
                request = request.answered(IDENTITY, now, await _identity_export(ctx, person_id, now, uow.session))
        else:
            alone = await _require_erasable(ctx, person_id, close_household, uow.session)
            request = replace(request, household_alone=alone and household_id is not None)
            data = ErasureRequested(
                request_id=request_id,
                person_id=person_id,
                household_id=household_id,
                close_household=request.close_household,
                household_alone=request.household_alone,
                occurred_at=now,
            )
        request = await _finish_erasure_if_due(ctx, uow, request, now)
        await ctx.store.save_privacy_request(request, uow.session)
        uow.publish(data, f"person/{person_id}")
        return request

    return await ctx.run(work)


async def _require_erasable(ctx: IdentityContext, person_id: str, close_household: bool, session: Session) -> bool:
    """Refuse what ``require_erasable`` refuses; whether the household is left to nobody."""
    member = await ctx.store.member(person_id, session)
    others = 0
    if member is not None and member.is_member and member.household_id is not None:
        others = await ctx.store.other_members(member.household_id, person_id, session)
    require_erasable(member, others, close_household=close_household)
    if member is None or not member.is_member:
        return False  # not known as a member here: the household is left as it is
    return others == 0 or (close_household and member.role == "main")


async def status(ctx: IdentityContext, caller: Principal, request_id: str, kind: Kind) -> PrivacyRequest:
    """A request of the caller; another person's is 404."""
    person_id = (await current_session(ctx, caller)).person_id
    return await _own_request(ctx, person_id, request_id, kind)


async def download(ctx: IdentityContext, caller: Principal, request_id: str) -> dict[str, Any]:
    """The export document once every participant has answered."""
    request = await status(ctx, caller, request_id, "export")
    if request.completed_at is None:
        raise ExportNotReadyError(pending=request.pending)
    return {
        "request_id": request.request_id,
        "person_id": request.person_id,
        "requested_at": request.requested_at.isoformat(),
        "completed_at": request.completed_at.isoformat(),
        "services": request.export_document(),
    }


async def _own_request(ctx: IdentityContext, person_id: str, request_id: str, kind: Kind) -> PrivacyRequest:
    request = await ctx.store.privacy_request(request_id)
    if request is None or not request.of(person_id) or request.kind != kind:
        raise PrivacyRequestNotFoundError()
    return request


async def export_answered(ctx: IdentityContext, event: CloudEvent[ExportAnswer]) -> None:
    """A participant sent its part of an export."""
    await _record_answer(ctx, event.data, "export", event.data.data)


async def erasure_answered(ctx: IdentityContext, event: CloudEvent[ErasureAnswer]) -> None:
    """A participant erased its part; when all others are done identity erases the login, last."""
    await _record_answer(ctx, event.data, "erasure", None)


async def erasure_refused(ctx: IdentityContext, event: CloudEvent[ErasureRefusal]) -> None:
    """A participant refused to erase (cards: the person is a main holder who still has parallel
    holders): the request ends refused with the reason, and the login is kept."""
    refusal = event.data
    now = ctx.now()

    async def work(uow: UnitOfWork) -> None:
        request = await ctx.store.privacy_request(refusal.request_id, uow.session)
        if request is None or request.kind != "erasure" or not request.of(refusal.person_id):
            raise PrivacyRequestNotFoundError(f"no erasure request {refusal.request_id} of this person")
        if refusal.service not in request.participants or refusal.service == IDENTITY:
            raise UnexpectedParticipantError(f"{refusal.service} is not an expected participant")
        await ctx.store.save_privacy_request(request.refused(refusal.service, refusal.reason, now), uow.session)

    await ctx.run(work)
    log.info("erasure_refused", request_id=refusal.request_id, service=refusal.service, reason=refusal.reason)


async def _record_answer(
    ctx: IdentityContext, answer: ExportAnswer | ErasureAnswer, kind: Kind, data: dict[str, Any] | None
) -> None:
    now = ctx.now()

    async def work(uow: UnitOfWork) -> None:
        request = await ctx.store.privacy_request(answer.request_id, uow.session)
        if request is None or request.kind != kind or not request.of(answer.person_id):
            raise PrivacyRequestNotFoundError(f"no {kind} request {answer.request_id} of this person")
        if answer.service not in request.participants or answer.service == IDENTITY:
            raise UnexpectedParticipantError(f"{answer.service} is not an expected participant")
        request = request.answered(answer.service, now, data)
        request = await _finish_erasure_if_due(ctx, uow, request, now)
        await ctx.store.save_privacy_request(request, uow.session)

    await ctx.run(work)
    log.info("privacy_answer_recorded", request_id=answer.request_id, service=answer.service, kind=kind)


async def _finish_erasure_if_due(
    ctx: IdentityContext, uow: UnitOfWork, request: PrivacyRequest, now: datetime
) -> PrivacyRequest:
    if request.kind != "erasure" or not request.others_done or IDENTITY in request.answers:
        return request
    await _erase_login(ctx, uow, request, now)
    if IDENTITY in request.participants:
        request = request.answered(IDENTITY, now)
    completed = ErasureCompleted(
        request_id=request.request_id, person_id=request.person_id, service=IDENTITY, occurred_at=now
    )
    uow.publish(completed, f"person/{request.person_id}")
    return request.receipt()


async def _erase_login(ctx: IdentityContext, uow: UnitOfWork, request: PrivacyRequest, now: datetime) -> None:
    """End every session, then forget the login (account, sessions, link tokens, trusted
    addresses), the person's cards and what cards told about them; their privacy requests
    stay as receipts without their id (``PrivacyRequest.receipt``). The card is closed, so
    nobody can register with it again; the person may apply anew."""
    session, person_id = uow.session, request.person_id
    await end_all_sessions(ctx, uow, person_id, "erased", now)
    await ctx.store.forget_login(person_id, session)
    await ctx.store.drop_export_data(person_id, session)
    own = request.household_id if request.household_alone else None
    await ctx.store.erase_person(person_id, own, session)


async def _identity_export(ctx: IdentityContext, person_id: str, now: datetime, session: Session) -> dict[str, Any]:
    account = await ctx.store.account(person_id, session)
    sessions = await ctx.store.active_sessions(person_id, now, session)
    profile = account.model_dump(mode="json", exclude={"password_hash"}) if account else {}
    return {
        "profile": profile,
        "sessions": [
            {
                "session_id": s.session_id,
                "created_at": s.created_at.isoformat(),
                "last_used_at": s.last_used_at.isoformat(),
                "user_agent": s.user_agent,
                "address": s.address,
            }
            for s in sessions
        ],
    }
