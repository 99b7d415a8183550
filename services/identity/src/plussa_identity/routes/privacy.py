"""Downloading my data and asking for its erasure (GDPR)."""

from datetime import datetime
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
)
async def get_my_erasure_request(request: web.Request, request_id: str) -> PrivacyRequestOut:
    """Which services have answered."""
    return _out(await privacy.status(context(request), principal(request), request_id, "erasure"))
