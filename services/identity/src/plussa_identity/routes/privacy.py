"""Downloading my data and asking for its erasure (GDPR)."""

from datetime import UTC, datetime
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel

from plussa_identity.domain.privacy import Kind, PrivacyRequest
from plussa_identity.keys import context
from plussa_identity.use_cases import privacy
from plussa_shared.auth import Access
from plussa_shared.keys import principal
from plussa_shared.routing import RouteTable

routes = RouteTable(tag="privacy")


class ParticipantOut(BaseModel):
    """One service's part of the request."""

    service: str
    status: Literal["pending", "completed"]
    completed_at: datetime | None


class PrivacyRequestOut(BaseModel):
    """An export or erasure request and how far it has got."""

    request_id: str
    kind: Literal["export", "erasure"]
    status: Literal["pending", "completed"]
    requested_at: datetime
    completed_at: datetime | None
    participants: list[ParticipantOut]


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
    return PrivacyRequestOut(
        request_id=request.request_id,
        kind=request.kind,
        status="completed" if request.completed_at else "pending",
        requested_at=request.requested_at,
        completed_at=request.completed_at,
        participants=[
            ParticipantOut(
                service=service,
                status="completed" if service in request.answers else "pending",
                completed_at=request.answers[service].answered_at if service in request.answers else None,
            )
            for service in request.participants
        ],
    )


async def _start(request: web.Request, kind: Kind) -> PrivacyRequestOut:
    return _out(await privacy.start(context(request), principal(request), kind))


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
    operation_id="requestMyErasure",
    description=(
        "Every service erases or anonymises its part (the ledger keeps what accounting law requires, "
        "anonymised); the login is erased last, when all others have answered, and every session ends." + PROGRESS
    ),
    response_example=ERASURE_EXAMPLE,
    idempotent=True,
)
async def post_my_erasure_request(request: web.Request) -> PrivacyRequestOut:
    """Every service erases or anonymises its part (the ledger keeps what accounting law requires,
    anonymised); the login is erased last, when all others have answered."""
    return await _start(request, "erasure")


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
