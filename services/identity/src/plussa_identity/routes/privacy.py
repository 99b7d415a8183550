"""Downloading my data and asking for its erasure (GDPR)."""

from datetime import UTC, datetime
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict

from plussa_identity.domain.privacy import Kind, PrivacyRequest
from plussa_identity.keys import context
from plussa_identity.use_cases import privacy
from plussa_shared.auth import Access
from plussa_shared.keys import principal
from plussa_shared.routing import RouteTable, read_body

routes = RouteTable(tag="privacy")


class ParticipantOut(BaseModel):
    """One service's part of the request."""

    service: str
    status: Literal["pending", "completed", "refused"]
    completed_at: datetime | None


class RefusalOut(BaseModel):
    """Why the erasure was refused: nothing more will be erased and the login is kept."""

    service: str
    reason: str
    refused_at: datetime


class ErasureIn(BaseModel):
    """The erasure request's options (the body may be left out)."""

    model_config = ConfigDict(extra="forbid")

    close_household: bool = False


class PrivacyRequestOut(BaseModel):
    """An export or erasure request and how far it has got."""

    request_id: str
    kind: Literal["export", "erasure"]
    status: Literal["pending", "completed", "refused"]
    requested_at: datetime
    completed_at: datetime | None
    participants: list[ParticipantOut]
    close_household: bool = False
    refusal: RefusalOut | None = None


EXAMPLE = PrivacyRequestOut(
    request_id="4d2b7f9e1c3a5b7d9f0e2c4a6b8d0f1e",
    kind="export",
    status="pending",
    requested_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    completed_at=None,
    participants=[
        ParticipantOut(service="identity", status="completed", completed_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC)),
        ParticipantOut(service="cards", status="pending", completed_at=None),
        ParticipantOut(service="points", status="pending", completed_at=None),
    ],
)
ERASURE_EXAMPLE = EXAMPLE.model_copy(update={"kind": "erasure", "participants": EXAMPLE.participants[1:]})
PROGRESS = (
    " Every service holding personal data (the `privacy_participants` setting) is a participant; the "
    "request is complete when all have answered."
)


def _out(request: PrivacyRequest) -> PrivacyRequestOut:
    refusal = request.refusal
    return PrivacyRequestOut(
        request_id=request.request_id,
        kind=request.kind,
        status=request.status,
        requested_at=request.requested_at,
        completed_at=request.completed_at,
        participants=[_participant(request, service) for service in request.participants],
        close_household=request.close_household,
        refusal=RefusalOut(service=refusal.service, reason=refusal.reason, refused_at=refusal.refused_at)
        if refusal
        else None,
    )


def _participant(request: PrivacyRequest, service: str) -> ParticipantOut:
    answer = request.answers.get(service)
    if answer is not None:
        return ParticipantOut(service=service, status="completed", completed_at=answer.answered_at)
    refused = request.refusal is not None and request.refusal.service == service
    return ParticipantOut(service=service, status="refused" if refused else "pending", completed_at=None)


async def _start(request: web.Request, kind: Kind, close_household: bool = False) -> PrivacyRequestOut:
    started = await privacy.start(context(request), principal(request), kind, close_household=close_household)
    return _out(started)


@routes.post(
    "/v1/me/data-exports",
    summary="Ask for all my data",
    access=Access.customers(),
    response=PrivacyRequestOut,
    status=202,
    operation_id="requestMyDataExport",
    description="Asks every service for what it holds about the caller; download it once all have answered." + PROGRESS,
    response_example=EXAMPLE,
    idempotent=True,
)
async def post_my_data_export(request: web.Request) -> PrivacyRequestOut:
    """Every service holding personal data is asked; the result is downloadable once all have answered."""
    return await _start(request, "export")


@routes.get(
    "/v1/me/data-exports/{request_id}",
    summary="Progress of my data export",
    access=Access.customers(),
    response=PrivacyRequestOut,
    errors=[404],
    operation_id="getMyDataExport",
    description="Which services have answered the caller's export; another person's request is 404.",
    response_example=EXAMPLE,
)
async def get_my_data_export(request: web.Request, request_id: str) -> PrivacyRequestOut:
    """Which services have answered."""
    return _out(await privacy.status(context(request), principal(request), request_id, "export"))


@routes.get(
    "/v1/me/data-exports/{request_id}/download",
    summary="Download my data",
    access=Access.customers(),
    response=dict[str, Any],
    errors=[404, 409],
    operation_id="downloadMyDataExport",
    description=(
        "One JSON document with every service's part, under `services.<service>`; 409 `export-not-ready` "
        "(with `pending`: the services yet to answer) until all have answered."
    ),
    response_example={
        "request_id": "4d2b7f9e1c3a5b7d9f0e2c4a6b8d0f1e",
        "person_id": "9b3e5c1a7d2f4e6a8c0b1d3f5a7c9e2b",
        "requested_at": "2026-03-01T09:30:00+00:00",
        "completed_at": "2026-03-01T09:30:02+00:00",
        "services": {"identity": {"profile": {"email": "aino.virtanen@example.com"}}, "cards": {}, "points": {}},
    },
)
async def download_my_data_export(request: web.Request, request_id: str) -> web.Response:
    """One JSON document with every service's part; 409 until all have answered."""
    document = await privacy.download(context(request), principal(request), request_id)
    return web.json_response(
        document,
        headers={
            "Content-Disposition": f'attachment; filename="plussa-data-{request_id}.json"',
            "Cache-Control": "no-store",
        },
    )


@routes.post(
    "/v1/me/erasure-requests",
    summary="Ask for erasure of my data",
    access=Access.customers(),
    response=PrivacyRequestOut,
    status=202,
    errors=[409, 415, 422],
    operation_id="requestMyErasure",
    description=(
        "Every service erases or anonymises its part (the ledger keeps what accounting law requires, "
        "anonymised); the login is erased last, when all others have answered, and every session ends. "
        "A main holder who still has parallel holders is refused with 409 `hand-over-first` (with "
        "`parallel_holders`): hand the household over first (cards' `POST /v1/me/household/hand-over`), "
        'or send `{"close_household": true}` (a JSON body, which may otherwise be left out) so each '
        "parallel holder first gets a household of their own with their cards. Should a service still "
        "refuse (cards, when the household changed meanwhile), the request ends `refused` with the "
        "`refusal` and its reason, and the login is kept." + PROGRESS
    ),
    response_example=ERASURE_EXAMPLE,
    idempotent=True,
)
async def post_my_erasure_request(request: web.Request) -> PrivacyRequestOut:
    """Every service erases or anonymises its part (the ledger keeps what accounting law requires,
    anonymised); the login is erased last, when all others have answered."""
    # The body is optional (earlier clients send none), so it is read here, not declared.
    options = await read_body(request, ErasureIn) if request.body_exists else ErasureIn()
    return await _start(request, "erasure", options.close_household)


@routes.get(
    "/v1/me/erasure-requests/{request_id}",
    summary="Progress of my erasure request",
    access=Access.customers(),
    response=PrivacyRequestOut,
    errors=[404],
    operation_id="getMyErasureRequest",
    description="Which services have answered the caller's erasure request; another person's request is 404.",
    response_example=ERASURE_EXAMPLE,
)
async def get_my_erasure_request(request: web.Request, request_id: str) -> PrivacyRequestOut:
    """Which services have answered."""
    return _out(await privacy.status(context(request), principal(request), request_id, "erasure"))
