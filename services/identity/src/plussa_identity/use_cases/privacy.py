"""Data export and erasure across the services, started and followed by identity."""

import uuid
from datetime import UTC, datetime
from typing import Any

import structlog

from plussa_identity.bootstrap import Identity
from plussa_identity.domain.errors import ExportNotReadyError, PrivacyRequestNotFoundError
from plussa_identity.domain.privacy import IDENTITY, Kind, PrivacyRequest
from plussa_identity.events.privacy_events import ErasureCompleted, ErasureRequested, ExportRequested
from plussa_shared.consumer import RejectEventError
from plussa_shared.errors import NotFoundError
from plussa_shared.events import CloudEvent, EventData
from plussa_shared.mongo import Session

log = structlog.get_logger(__name__)


async def start(identity: Identity, person_id: str, household_id: str | None, kind: Kind) -> PrivacyRequest:
    """Open an export or erasure request and ask every participant through one event."""
    now = datetime.now(UTC)
    request_id = uuid.uuid4().hex

    async def work(session: Session) -> PrivacyRequest:
        account = await identity.store.account(person_id, session)
        if account is None:
            raise NotFoundError("No login", slug="account-not-found")
        request = PrivacyRequest(
            request_id=request_id,
            kind=kind,
            person_id=person_id,
            household_id=household_id,
            requested_at=now,
            participants=tuple(identity.settings.privacy_participants),
        )
        data: EventData
        if kind == "export":
            data = ExportRequested(
                request_id=request_id, person_id=person_id, household_id=household_id, occurred_at=now
            )
            if IDENTITY in request.participants:
                request = request.answered(IDENTITY, now, await _identity_export(identity, person_id, session))
        else:
            data = ErasureRequested(
                request_id=request_id, person_id=person_id, household_id=household_id, occurred_at=now
            )
        request = await _finish_erasure_if_due(identity, request, now, session)
        await identity.store.save_privacy_request(request, session)
        await identity.uow.outbox.add(session, [identity.event(data, f"person/{person_id}")])
        return request

    return await identity.run(work)


async def status(identity: Identity, person_id: str, request_id: str, kind: Kind) -> PrivacyRequest:
    """A request of this person; another person's is 404."""
    request = await identity.store.privacy_request(request_id)
    if request is None or request.person_id != person_id or request.kind != kind:
        raise PrivacyRequestNotFoundError()
    return request


async def download(identity: Identity, person_id: str, request_id: str) -> dict[str, Any]:
    """The export document once every participant has answered."""
    request = await status(identity, person_id, request_id, "export")
    if request.completed_at is None:
        raise ExportNotReadyError(pending=request.pending)
    return {
        "request_id": request.request_id,
        "person_id": request.person_id,
        "requested_at": request.requested_at.isoformat(),
        "completed_at": request.completed_at.isoformat(),
        "services": request.export_document(),
    }


async def record_answer(
    identity: Identity, event: CloudEvent[Any], session: Session, kind: Kind, data: dict[str, Any] | None
) -> None:
    """A participant answered; an erasure whose others are all done ends with identity's own part."""
    answer = event.data
    request = await identity.store.privacy_request(answer.request_id, session)
    if request is None or request.kind != kind or request.person_id != answer.person_id:
        raise RejectEventError(f"no {kind} request {answer.request_id} of this person")
    if answer.service not in request.participants or answer.service == IDENTITY:
        raise RejectEventError(f"{answer.service} is not an expected participant")
    now = datetime.now(UTC)
    request = request.answered(answer.service, now, data)
    request = await _finish_erasure_if_due(identity, request, now, session)
    await identity.store.save_privacy_request(request, session)
    log.info("privacy_answer_recorded", request_id=request.request_id, service=answer.service, kind=kind)


async def _finish_erasure_if_due(
    identity: Identity, request: PrivacyRequest, now: datetime, session: Session
) -> PrivacyRequest:
    if request.kind != "erasure" or not request.others_done or IDENTITY in request.answers:
        return request
    await _erase_login(identity, request.person_id, now, session)
    if IDENTITY in request.participants:
        request = request.answered(IDENTITY, now)
    completed = ErasureCompleted(
        request_id=request.request_id, person_id=request.person_id, service=IDENTITY, occurred_at=now
    )
    await identity.uow.outbox.add(session, [identity.event(completed, f"person/{request.person_id}")])
    return request


async def _erase_login(identity: Identity, person_id: str, now: datetime, session: Session) -> None:
    """Anonymise the login: the id stays so the person cannot be registered twice, nothing else."""
    account = await identity.store.account(person_id, session)
    if account is not None:
        erased = account.model_copy(
            update={
                "email": f"erased+{person_id}@invalid",
                "email_verified": False,
                "pending_email": None,
                "password_hash": "",
                "first_name": None,
                "last_name": None,
                "phone": None,
                "postal_address": None,
                "updated_at": now,
                "erased_at": now,
            }
        )
        await identity.store.save_account(erased, session)
    await identity.store.revoke_sessions(person_id, now, "erased", session)
    await identity.store.void_link_tokens(person_id, "verify-email", now, session)
    await identity.store.void_link_tokens(person_id, "reset-password", now, session)
    await identity.store.drop_export_data(person_id, session)
    await identity.store.update_member(
        person_id,
        {"first_name": None, "last_name": None, "date_of_birth": None, "email": None, "erased": True},
        session,
    )


async def _identity_export(identity: Identity, person_id: str, session: Session) -> dict[str, Any]:
    account = await identity.store.account(person_id, session)
    sessions = await identity.store.active_sessions(person_id, datetime.now(UTC))
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
