"""Advances (预付款): money paid ahead on an accepted job, deducted from that job's payout only.

An artisan asks (app or SMS) for up to the brand's ``advance_percent`` of what the job's
accepted pieces will earn (accepted quantity × piece rate), less what was advanced on it
already; one request per job is open (requested or approved) at a time, which the
``advance.open_job`` unique key holds against races. A coordinator approves or refuses it
with a reason, records it paid (method, reference), and she confirms or disputes it like a
payout; a dispute is resolved by the payouts' rule (``backend.payouts.disputes``). The job's
payout deducts what was advanced (``deduct_advances``), never more than the job's gross.
Nothing else takes it back: no interest, no other job's payout, and a job that is never paid
(the brand cancelled or reduced the order) keeps its advance as it is.
"""

from __future__ import annotations

from typing import Any

from piccolo.custom_types import Combinable

from backend.accounts.queries import CONTACT
from backend.accounts.tables import Member
from backend.audit import record_event
from backend.core.access import STAFF, acting_in, require_membership, require_role
from backend.core.errors import AdvanceOpen, Invalid, InvalidTransition, NotFound
from backend.core.i18n import N_, format_money
from backend.core.text import filled
from backend.core.types import Principal, Role, utcnow
from backend.db.session import is_sqlite, run, write_transaction
from backend.jobs.machine import Status
from backend.jobs.messages import needs_sms
from backend.jobs.tables import Job
from backend.messages.templates import render
from backend.outbox import enqueue
from backend.outbox.questions import ask, question
from backend.payouts.disputes import resolved_columns
from backend.payouts.schemas import AdvanceCreate, AdvancePay, AdvanceRead, AdvanceStatus, Resolution
from backend.payouts.tables import Advance

# A job takes an advance from its acceptance until its payout.
ADVANCEABLE = frozenset({Status.ACCEPTED, Status.SUBMITTED, Status.REWORK, Status.APPROVED})
OPEN = (AdvanceStatus.REQUESTED.value, AdvanceStatus.APPROVED.value)
PAID = (AdvanceStatus.PAID.value, AdvanceStatus.CONFIRMED.value, AdvanceStatus.DISPUTED.value)
COUNTED = OPEN + PAID  # what a request counts against the cap: not the refused nor the lapsed
MAX_PERCENT = 50
LOCK_JOB = "SELECT id FROM job WHERE id = {} FOR UPDATE"

READ_COLUMNS = (*Advance.all_columns(), Advance.job.code)


def advance_read(row: dict[str, Any]) -> AdvanceRead:
    return AdvanceRead(
        id=row["id"],
        job_id=row["job"],
        code=row["job.code"],
        artisan_id=row["artisan"],
        brand_id=row["brand"],
        amount_fen=row["amount_fen"],
        status=AdvanceStatus(row["status"]),
        reason=row["reason"],
        resolution_note=row["resolution_note"],
        method=row["method"],
        reference=row["reference"],
        requested_via=row["requested_via"],
        created_at=row["created_at"],
        decided_at=row["decided_at"],
        paid_at=row["paid_at"],
        confirmed_at=row["confirmed_at"],
        deducted_in=row["deducted_in"],
    )


def advance_cap(quantity_accepted: int, unit_price_fen: int, percent: int) -> int:
    """The most a job may have advanced in all: the brand's share of its accepted pieces' pay,
    rounded down to the fen."""
    return quantity_accepted * unit_price_fen * min(percent, MAX_PERCENT) // 100


async def _lock_job(job_id: int) -> None:
    """PostgreSQL: requests, payments and the payout of one job take their turn (SQLite has one writer)."""
    if not is_sqlite():
        await run(LOCK_JOB, job_id)


async def _advanced(job_id: int) -> int:
    """What the job has advanced or asked for already (open and paid requests)."""
    rows = await Advance.select(Advance.amount_fen).where((Advance.job == job_id) & Advance.status.is_in(list(COUNTED)))
    return sum(int(row["amount_fen"]) for row in rows)


async def _own_job(actor: Principal, job_id: int) -> dict[str, Any]:
    job = (
        await Job.select(*Job.all_columns(), Job.order.unit_price_fen, Job.brand.advance_percent)
        .where((Job.id == job_id) & Job.artisan.is_in(list(actor.member_ids(Role.ARTISAN))))
        .first()
    )
    if job is None:
        raise NotFound()
    return job


async def available(job: dict[str, Any]) -> int:
    """What she may still ask on this job (a row with ``order.unit_price_fen`` and ``brand.advance_percent``)."""
    cap = advance_cap(job["quantity_accepted"], job["order.unit_price_fen"], job["brand.advance_percent"])
    return max(cap - await _advanced(job["id"]), 0)


async def request_advance(actor: Principal, job_id: int, data: AdvanceCreate) -> AdvanceRead:
    """Her request for an advance on one of her accepted jobs; no amount: the most she may ask."""
    require_membership(actor, Role.ARTISAN)
    async with write_transaction():
        await _own_job(actor, job_id)  # not hers: nothing to lock
        await _lock_job(job_id)
        job = await _own_job(actor, job_id)
        actor = acting_in(actor, job["brand"])
        if job["status"] not in ADVANCEABLE:
            raise InvalidTransition(status=job["status"])
        if await Advance.exists().where((Advance.job == job_id) & Advance.status.is_in(list(OPEN))):
            raise AdvanceOpen()
        most = await available(job)
        if most <= 0:
            raise Invalid(N_("Nothing more can be advanced on this job."), fields={"amount_fen": "nothing_left"})
        amount = data.amount_fen if data.amount_fen is not None else most
        if amount > most:
            raise Invalid(
                N_("At most {amount} can be advanced on this job."),
                fields={"amount_fen": "over_limit"},
                amount=format_money(most, actor.locale),
                most=most,  # in fen, for the SMS that tells her
            )
        advance = Advance(
            job=job_id,
            brand=job["brand"],
            artisan=job["artisan"],
            amount_fen=amount,
            status=AdvanceStatus.REQUESTED.value,
            open_job=job_id,
            requested_via=actor.via.value,
        )
        await advance.save()
        await record_event(
            actor,
            brand_id=job["brand"],
            entity="advance",
            entity_id=advance.id,
            action="request",
            to_status=AdvanceStatus.REQUESTED.value,
            job_id=job_id,
            amount_fen=amount,
        )
        return await _read(advance.id)


async def _read(advance_id: int) -> AdvanceRead:
    row = await Advance.select(*READ_COLUMNS).where(Advance.id == advance_id).first()
    if row is None:
        raise NotFound()
    return advance_read(row)


async def _change(
    actor: Principal,
    advance_id: int,
    starts: tuple[AdvanceStatus, ...],
    to: AdvanceStatus,
    action: str,
    *,
    own: bool,
    values: dict[Any, Any] | None = None,
    **detail: Any,
) -> dict[str, Any]:
    """Move an advance from one of ``starts`` to ``to`` (inside the caller's transaction); the row
    before. ``detail``: more for the audit trail."""
    if own:
        scope: Combinable = Advance.artisan.is_in(list(actor.member_ids(Role.ARTISAN)))
    else:
        scope = Advance.brand == actor.brand_id
    row = await Advance.select(*READ_COLUMNS).where((Advance.id == advance_id) & scope).first()
    if row is None:
        raise NotFound()
    await _lock_job(row["job"])
    row = await Advance.select(*READ_COLUMNS).where(Advance.id == advance_id).first()
    assert row is not None  # noqa: S101 - an advance is never deleted
    if row["status"] not in starts:
        raise InvalidTransition(status=row["status"])
    actor = acting_in(actor, row["brand"])
    updates: dict[Any, Any] = {Advance.status: to.value, **(values or {})}
    if to.value not in OPEN:
        updates[Advance.open_job] = None
    moved = (
        await Advance.update(updates)
        .where((Advance.id == advance_id) & (Advance.status == row["status"]))
        .returning(Advance.id)
    )
    if not moved:  # the job's lock makes this unreachable; a guard all the same
        raise InvalidTransition(status=row["status"])
    await record_event(
        actor,
        brand_id=row["brand"],
        entity="advance",
        entity_id=advance_id,
        action=action,
        from_status=row["status"],
        to_status=to.value,
        job_id=row["job"],
        amount_fen=row["amount_fen"],
        **detail,
    )
    return row


async def approve_advance(actor: Principal, advance_id: int) -> AdvanceRead:
    require_role(actor, *STAFF)
    async with write_transaction():
        values = {Advance.decided_by: actor.member_id, Advance.decided_at: utcnow()}
        row = await _change(
            actor, advance_id, (AdvanceStatus.REQUESTED,), AdvanceStatus.APPROVED, "approve", own=False, values=values
        )
        await _tell(row, "advance_approved", amount=row["amount_fen"])
        return await _read(advance_id)


async def refuse_advance(actor: Principal, advance_id: int, reason: str) -> AdvanceRead:
    """Refuse a request, or an approved advance not paid yet; she may ask again."""
    require_role(actor, *STAFF)
    reason = filled(reason, "reason")
    async with write_transaction():
        values = {Advance.decided_by: actor.member_id, Advance.decided_at: utcnow(), Advance.reason: reason}
        row = await _change(
            actor,
            advance_id,
            (AdvanceStatus.REQUESTED, AdvanceStatus.APPROVED),
            AdvanceStatus.REFUSED,
            "refuse",
            own=False,
            values=values,
        )
        await _tell(row, "advance_refused", reason=reason)
        return await _read(advance_id)


async def pay_advance(actor: Principal, advance_id: int, data: AdvancePay) -> AdvanceRead:
    """Record an approved advance paid; the job must not be paid yet (else it has lapsed)."""
    require_role(actor, *STAFF)
    async with write_transaction():
        values = {
            Advance.method: data.method.value,
            Advance.reference: data.reference,
            Advance.paid_by: actor.member_id,
            Advance.paid_at: utcnow(),
        }
        row = await _change(
            actor, advance_id, (AdvanceStatus.APPROVED,), AdvanceStatus.PAID, "pay", own=False, values=values
        )
        status = await Job.select(Job.status).where(Job.id == row["job"]).first()
        if status is None or status["status"] not in ADVANCEABLE:  # a payout lapses what is open: unreachable
            raise InvalidTransition(status=status["status"] if status else "")
        await _ask_to_confirm(row)
        return await _read(advance_id)


async def confirm_advance(actor: Principal, advance_id: int) -> AdvanceRead:
    require_membership(actor, Role.ARTISAN)
    async with write_transaction():
        values = {Advance.confirmed_at: utcnow(), Advance.confirmed_via: actor.via.value}
        await _change(
            actor, advance_id, (AdvanceStatus.PAID,), AdvanceStatus.CONFIRMED, "confirm", own=True, values=values
        )
        return await _read(advance_id)


async def dispute_advance(actor: Principal, advance_id: int, reason: str) -> AdvanceRead:
    require_membership(actor, Role.ARTISAN)
    reason = filled(reason, "reason")
    async with write_transaction():
        await _change(
            actor,
            advance_id,
            (AdvanceStatus.PAID,),
            AdvanceStatus.DISPUTED,
            "dispute",
            own=True,
            values={Advance.reason: reason},
        )
        return await _read(advance_id)


async def resolve_advance(actor: Principal, advance_id: int, resolution: Resolution, note: str) -> AdvanceRead:
    """Close her dispute of an advance by the rule that closes a payout's
    (``backend.payouts.disputes``): paid (back to waiting for her word) or confirmed by the
    brand, with a note saying what was done; only a disputed advance, only the brand's staff."""
    require_role(actor, *STAFF)
    note = filled(note, "note")
    columns = resolved_columns(actor, resolution, note)
    to = AdvanceStatus(columns.pop("status"))
    async with write_transaction():
        await _change(
            actor,
            advance_id,
            (AdvanceStatus.DISPUTED,),
            to,
            f"resolve_{resolution.value}",
            own=False,
            values=columns,
            note=note,
        )
        return await _read(advance_id)


async def list_advances(actor: Principal, status: AdvanceStatus | None) -> list[AdvanceRead]:
    """Her own advances (every brand), or (staff) the brand's, newest first."""
    if actor.is_staff:
        where: Combinable = Advance.brand == actor.brand_id
    else:
        require_membership(actor, Role.ARTISAN)
        where = Advance.artisan.is_in(list(actor.member_ids(Role.ARTISAN)))
    if status:
        where &= Advance.status == status.value
    rows = await Advance.select(*READ_COLUMNS).where(where).order_by(Advance.id, ascending=False).limit(500)
    return [advance_read(row) for row in rows]


async def artisan_advance(actor: Principal, advance_id: int) -> AdvanceRead | None:
    """Her advance (the SMS conversation's item), if it is hers."""
    own = Advance.artisan.is_in(list(actor.member_ids(Role.ARTISAN)))
    row = await Advance.select(*READ_COLUMNS).where((Advance.id == advance_id) & own).first()
    return advance_read(row) if row else None


async def paid_advance_of_job(actor: Principal, job_id: int) -> AdvanceRead | None:
    """The advance of her job paid and waiting for her word (an SMS names it by the job's code)."""
    own = Advance.artisan.is_in(list(actor.member_ids(Role.ARTISAN)))
    paid = (Advance.job == job_id) & (Advance.status == AdvanceStatus.PAID.value)
    row = await Advance.select(*READ_COLUMNS).where(paid & own).order_by(Advance.id, ascending=False).first()
    return advance_read(row) if row else None


async def deduct_advances(actor: Principal, job_id: int, gross: int, payout_id: int) -> int:
    """At the job's payout (inside its transaction): its paid advances are deducted, never more
    than ``gross``; a request still open lapses. Returns the amount deducted."""
    rows = await Advance.select().where((Advance.job == job_id) & Advance.deducted_in.is_null())
    paid = [row for row in rows if row["status"] in PAID]
    deducted = min(sum(int(row["amount_fen"]) for row in paid), gross)
    if paid:
        await Advance.update({Advance.deducted_in: payout_id}).where(Advance.id.is_in([row["id"] for row in paid]))
    for row in rows:
        if row["status"] in OPEN:
            await _change(actor, row["id"], (AdvanceStatus(row["status"]),), AdvanceStatus.LAPSED, "lapse", own=False)
    return deducted


async def paid_advances(job_ids: list[int]) -> dict[int, int]:
    """What each job has advanced and paid, not deducted yet."""
    if not job_ids:
        return {}
    rows = await Advance.select(Advance.job, Advance.amount_fen).where(
        Advance.job.is_in(job_ids) & Advance.status.is_in(list(PAID)) & Advance.deducted_in.is_null()
    )
    found: dict[int, int] = {}
    for row in rows:
        found[row["job"]] = found.get(row["job"], 0) + int(row["amount_fen"])
    return found


async def _ask_to_confirm(row: dict[str, Any]) -> None:
    """By SMS, when she is not in the app: was the advance received (the ``advance_paid`` flow)?"""
    artisan = await Member.select(*CONTACT).where(Member.id == row["artisan"]).first()
    if artisan is None or not needs_sms(artisan, utcnow()):
        return
    code = row["job.code"]
    await ask([question("advance_paid", artisan, row["brand"], row["id"], code, code=code, amount=row["amount_fen"])])


async def _tell(row: dict[str, Any], message: str, **values: Any) -> None:
    """By SMS, when she is not in the app: her advance was approved, refused or paid."""
    artisan = await Member.select(*CONTACT).where(Member.id == row["artisan"]).first()
    if artisan is None or not needs_sms(artisan, utcnow()):
        return
    rendered = render(message, artisan["locale"], code=row["job.code"], **values)
    await enqueue(artisan["phone"], rendered, brand_id=row["brand"], member_id=artisan["id"])
