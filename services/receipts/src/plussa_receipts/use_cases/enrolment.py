"""A person turns the warranty receipt service on or off for their own purchases."""

import structlog

from plussa_receipts.context import ReceiptsContext
from plussa_receipts.domain.enrolment import Enrolment
from plussa_receipts.domain.errors import StaleEnrolmentError
from plussa_shared.context import UnitOfWork

log = structlog.get_logger(__name__)


async def turn_on(ctx: ReceiptsContext, person_id: str, *, expected_version: int | None = None) -> Enrolment:
    """Save the person's purchases from now on."""
    now = ctx.now()

    async def work(uow: UnitOfWork) -> Enrolment:
        enrolment = await _load(ctx, uow, person_id, expected_version)
        loaded = enrolment.version
        if enrolment.turn_on(now) and not await ctx.store.save_enrolment(uow, enrolment, loaded):
            raise StaleEnrolmentError()
        return enrolment

    enrolment = await ctx.run(work)
    log.info("receipt_service_on", person_id=person_id)
    return enrolment


async def turn_off(
    ctx: ReceiptsContext, person_id: str, *, keep_receipts: bool, expected_version: int | None = None
) -> Enrolment:
    """Stop saving; the saved receipts are kept or deleted, as the person chose."""
    now = ctx.now()

    async def work(uow: UnitOfWork) -> Enrolment:
        enrolment = await _load(ctx, uow, person_id, expected_version)
        loaded = enrolment.version
        if not enrolment.enabled:
            return enrolment
        deleted = 0 if keep_receipts else await ctx.store.delete_receipts_of(uow, person_id)
        enrolment.turn_off(now, receipts_deleted=deleted)
        if not await ctx.store.save_enrolment(uow, enrolment, loaded):
            raise StaleEnrolmentError()
        return enrolment

    enrolment = await ctx.run(work)
    log.info("receipt_service_off", person_id=person_id, kept=keep_receipts)
    return enrolment


async def _load(ctx: ReceiptsContext, uow: UnitOfWork, person_id: str, expected_version: int | None) -> Enrolment:
    enrolment = await ctx.store.enrolment(uow, person_id)
    if expected_version is not None and enrolment.version != expected_version:
        raise StaleEnrolmentError()
    return enrolment
