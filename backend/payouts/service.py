"""Payouts: recorded once per job, confirmed or disputed by the artisan, disputes resolved."""

from __future__ import annotations

from typing import Any

from piccolo.custom_types import Combinable

from backend.accounts.queries import CONTACT
from backend.accounts.tables import Member
from backend.audit import record_event
from backend.core.access import STAFF, acting_in, require_membership, require_role
from backend.core.errors import InvalidTransition, NotFound, PayoutExists
from backend.core.text import filled
from backend.core.types import Principal, Role, utcnow
from backend.db.session import write_transaction
from backend.jobs.machine import Action, Status, transition
from backend.jobs.messages import needs_sms
from backend.jobs.tables import Job
from backend.materials.service import deduct_kits, kit_deductions
from backend.outbox.questions import ask
from backend.outbox.questions import question as confirm_question
from backend.payouts import advances
from backend.payouts.disputes import resolved_columns
from backend.payouts.schemas import PayoutCreate, PayoutRead, PayoutStatus, Resolution
from backend.payouts.tables import Payout

PAID_ALREADY = {Status.PAID, Status.CONFIRMED, Status.DISPUTED}


def payout_read(row: dict[str, Any]) -> PayoutRead:
    return PayoutRead(
        id=row["id"],
        job_id=row["job"],
        artisan_id=row["artisan"],
        brand_id=row["brand"],
        amount_fen=row["amount_fen"],
        method=row["method"],
        reference=row["reference"],
        status=PayoutStatus(row["status"]),
        dispute_reason=row["dispute_reason"],
        resolution_note=row["resolution_note"],
        created_at=row["created_at"],
        confirmed_at=row["confirmed_at"],
        confirmed_via=row["confirmed_via"],
        gross_fen=row["gross_fen"],
        advance_fen=row["advance_fen"],
        kit_fen=row["kit_fen"],
    )


async def _unpaid_job(actor: Principal, job_id: int) -> dict[str, Any]:
    job = (
        await Job.select(*Job.all_columns(), Job.order.unit_price_fen)
        .where((Job.id == job_id) & (Job.brand == actor.brand_id))
        .first()
    )
    if job is None:
        raise NotFound()
    if job["status"] in PAID_ALREADY:
        raise PayoutExists()
    return job


async def record_payout(actor: Principal, job_id: int, data: PayoutCreate) -> PayoutRead:
    """Record that an approved job was paid: its gross (by default approved pieces × rate) less
    the job's paid advances, then less the materials a coordinator decided to deduct from it
    (never below zero), is the net paid, the payout's ``amount_fen``."""
    require_role(actor, *STAFF)
    async with write_transaction():
        job = await _unpaid_job(actor, job_id)
        gross = (
            data.amount_fen if data.amount_fen is not None else job["quantity_approved"] * job["order.unit_price_fen"]
        )
        try:
            await transition(job_id, Action.PAY, actor, amount_fen=gross, method=data.method.value)
        except InvalidTransition as error:
            if error.params.get("status") in PAID_ALREADY:
                raise PayoutExists() from error
            raise
        # After the transition: an advance paid meanwhile has committed (the job's row is ours now).
        deducted = min((await advances.paid_advances([job_id])).get(job_id, 0), gross)
        kits = min((await kit_deductions([job_id])).get(job_id, 0), gross - deducted)
        amount = gross - deducted - kits
        payout = Payout(
            job=job_id,
            brand=actor.brand_id,
            artisan=job["artisan"],
            amount_fen=amount,
            gross_fen=gross,
            advance_fen=deducted,
            kit_fen=kits,
            method=data.method.value,
            reference=data.reference,
            recorded_by=actor.member_id,
        )
        await payout.save()
        await advances.deduct_advances(actor, job_id, gross, payout.id)
        await deduct_kits(job_id, payout.id)
        await record_event(
            actor,
            brand_id=actor.brand_id,
            entity="payout",
            entity_id=payout.id,
            action="record",
            to_status=PayoutStatus.PAID.value,
            job_id=job_id,
            amount_fen=amount,
            gross_fen=gross,
            advance_fen=deducted,
            kit_fen=kits,
        )
        await _ask_to_confirm(job, payout.id, amount)
        return payout_read(payout.to_dict())


async def _ask_to_confirm(job: dict[str, Any], payout_id: int, amount: int) -> None:
    """By SMS, when the artisan is not in the app: was the money received (the ``payout`` flow)?"""
    artisan = await Member.select(*CONTACT).where(Member.id == job["artisan"]).first()
    if artisan is None or not needs_sms(artisan, utcnow()):
        return
    code = job["code"]
    await ask([confirm_question("payout", artisan, job["brand"], payout_id, code, code=code, amount=amount)])


async def _change_payout(
    actor: Principal, payout_id: int, action: Action, columns: dict[Any, Any], *, own: bool, **values: Any
) -> PayoutRead:
    """Move a payout and its job together (confirm, dispute, resolve), setting ``columns``."""
    scope = Payout.artisan.is_in(list(actor.member_ids(Role.ARTISAN))) if own else (Payout.brand == actor.brand_id)
    async with write_transaction():
        row = await Payout.select().where((Payout.id == payout_id) & scope).first()
        if row is None:
            raise NotFound()
        actor = acting_in(actor, row["brand"])
        await transition(row["job"], action, actor, payout_id=payout_id, **values)
        changed = await Payout.update(columns).where(Payout.id == payout_id).returning(*Payout.all_columns())
        await record_event(
            actor,
            brand_id=row["brand"],
            entity="payout",
            entity_id=payout_id,
            action=action.value,
            from_status=row["status"],
            to_status=columns["status"],
        )
        return payout_read(changed[0])


async def confirm_payout(actor: Principal, payout_id: int) -> PayoutRead:
    require_membership(actor, Role.ARTISAN)
    columns = {"status": PayoutStatus.CONFIRMED.value, "confirmed_at": utcnow(), "confirmed_via": actor.via.value}
    return await _change_payout(actor, payout_id, Action.CONFIRM, columns, own=True)


async def dispute_payout(actor: Principal, payout_id: int, reason: str) -> PayoutRead:
    require_membership(actor, Role.ARTISAN)
    reason = filled(reason, "reason")
    columns = {"status": PayoutStatus.DISPUTED.value, "dispute_reason": reason}
    return await _change_payout(actor, payout_id, Action.DISPUTE, columns, own=True, reason=reason)


RESOLVING = {Resolution.PAID: Action.RESOLVE_PAID, Resolution.CONFIRMED: Action.RESOLVE_CONFIRMED}


async def resolve_dispute(actor: Principal, payout_id: int, resolution: Resolution, note: str) -> PayoutRead:
    """Close a disputed payout (the job's machine holds the state: only a disputed one)."""
    require_role(actor, *STAFF)
    columns = resolved_columns(actor, resolution, note)
    return await _change_payout(actor, payout_id, RESOLVING[resolution], columns, own=False, note=note)


async def list_payouts(actor: Principal, status: PayoutStatus | None) -> list[PayoutRead]:
    """Her own payouts from every brand she works with, or (staff) the brand's, newest first."""
    if actor.is_staff:
        where: Combinable = Payout.brand == actor.brand_id
    else:
        require_membership(actor, Role.ARTISAN)
        where = Payout.artisan.is_in(list(actor.member_ids(Role.ARTISAN)))
    if status:
        where &= Payout.status == status.value
    rows = await Payout.select().where(where).order_by(Payout.id, ascending=False).limit(500)
    return [payout_read(row) for row in rows]
