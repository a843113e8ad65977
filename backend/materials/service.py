"""Material kits (发料): staff hand materials out for a job; she confirms receipt (app, SMS,
voice) or reports a shortage; a coordinator decides a shortage, its reason always written.

A shortage is never deducted without that decision: ``adjust`` records what she actually got
and deducts nothing (the brand's loss); ``deduct`` takes an amount off that job's payout only
(``kit_deductions``, at the payout), never more than the job's accepted pieces earn and never
once the job is paid. A kit moves once from each state (a conditional UPDATE), so two answers
at once or a replay have one effect; the second is told ``kit_settled``.
"""

from __future__ import annotations

from typing import Any

from piccolo.custom_types import Combinable

from backend.accounts.queries import CONTACT
from backend.accounts.tables import Member
from backend.audit import record_event
from backend.core.access import STAFF, acting_in, require_membership, require_role
from backend.core.errors import Invalid, InvalidTransition, KitSettled, NotFound
from backend.core.i18n import N_, format_money
from backend.core.types import Principal, Role, utcnow
from backend.db.session import is_sqlite, run, write_transaction
from backend.jobs.machine import Status
from backend.jobs.messages import needs_sms
from backend.jobs.tables import Job
from backend.materials.quantities import as_text, to_milli
from backend.materials.reads import read_kit
from backend.materials.schemas import KitCreate, KitDecide, KitDecisionKind, KitLineIn, KitRead, KitStatus
from backend.materials.tables import Kit, KitDecision, KitLine
from backend.outbox.questions import ask, question

# Materials go out for work in hand: from acceptance until the work is approved.
HANDABLE = frozenset({Status.ACCEPTED, Status.SUBMITTED, Status.REWORK})
PAID = frozenset({Status.PAID, Status.CONFIRMED, Status.DISPUTED})
LOCK_JOB = "SELECT id FROM job WHERE id = {} FOR UPDATE"
SUMMARY = 24  # characters of a kit's summary in an SMS (one segment with the rest of the text)
ACTIONS = {
    KitStatus.RECEIVED: "receive",
    KitStatus.SHORT: "short",
    KitStatus.ADJUSTED: "adjust",
    KitStatus.DEDUCTED: "deduct",
}


async def _lock_job(job_id: int) -> None:
    """PostgreSQL: a deduction and the job's payout take their turn (SQLite has one writer)."""
    if not is_sqlite():
        await run(LOCK_JOB, job_id)


async def hand_out_kit(actor: Principal, job_id: int, data: KitCreate) -> KitRead:
    """Record materials handed to the job's artisan; she is asked by SMS when not in the app."""
    require_role(actor, *STAFF)
    lines = _lines(data)
    async with write_transaction():
        job = await Job.select(*Job.all_columns()).where((Job.id == job_id) & (Job.brand == actor.brand_id)).first()
        if job is None:
            raise NotFound()
        if job["status"] not in HANDABLE:
            raise InvalidTransition(status=job["status"])
        kit = Kit(job=job_id, brand=job["brand"], artisan=job["artisan"], handed_by=actor.member_id)
        await kit.save()
        await KitLine.insert(
            *[
                KitLine(
                    kit=kit.id,
                    brand=job["brand"],
                    job=job_id,
                    material=line.material,
                    quantity_milli=milli,
                    unit=line.unit,
                    lot=line.lot,
                )
                for line, milli in lines
            ]
        )
        await record_event(
            actor,
            brand_id=job["brand"],
            entity="kit",
            entity_id=kit.id,
            action="hand_out",
            to_status=KitStatus.HANDED_OUT.value,
            job_id=job_id,
            lines=[[line.material, as_text(milli), line.unit, line.lot] for line, milli in lines],
        )
        shown = [(line.material, as_text(milli), line.unit, line.lot) for line, milli in lines]
        await _ask_to_confirm(job, kit.id, shown)
        return await read_kit(kit.id)


LIMITS = (("material", 1, 60), ("unit", 1, 16), ("lot", 0, 60))
MOST_LINES = 20


def _lines(data: KitCreate) -> list[tuple[KitLineIn, int]]:
    """The kit's lines, trimmed, each with its quantity in thousandths; refused (422, naming the
    line and field) when there are none or too many, a text is empty or too long, or a
    quantity is not above 0 with at most three decimals."""
    if not 1 <= len(data.lines) <= MOST_LINES:
        raise Invalid(N_("A kit has 1 to {most} lines."), fields={"lines": "count"}, most=MOST_LINES)
    found = []
    for index, line in enumerate(data.lines):
        trimmed = KitLineIn(
            material=line.material.strip(), quantity=line.quantity, unit=line.unit.strip(), lot=line.lot.strip()
        )
        for name, least, most in LIMITS:
            if not least <= len(getattr(trimmed, name)) <= most:
                raise Invalid(
                    N_("Write 1 to {most} characters here.") if least else N_("Write at most {most} characters here."),
                    fields={f"lines[{index}].{name}": "length"},
                    most=most,
                )
        found.append((trimmed, to_milli(line.quantity, f"lines[{index}].quantity")))
    return found


def summary(lines: list[tuple[str, str, str, str]]) -> str:
    """A kit in a few words for an SMS (at most ``SUMMARY`` characters): its first line
    (material, quantity and unit, lot), and how many lines more."""
    material, quantity, unit, lot = lines[0]
    more = f"+{len(lines) - 1}" if len(lines) > 1 else ""
    text = f"{material} {quantity}{unit}" + (f"({lot})" if lot else "")
    room = SUMMARY - len(more)
    return (text if len(text) <= room else text[: room - 2] + "..") + more  # GSM-7: no ellipsis


async def _ask_to_confirm(job: dict[str, Any], kit_id: int, lines: list[tuple[str, str, str, str]]) -> None:
    """By SMS, when she is not in the app: did the materials arrive (the ``kit`` flow)?"""
    artisan = await Member.select(*CONTACT).where(Member.id == job["artisan"]).first()
    if artisan is None or not needs_sms(artisan, utcnow()):
        return
    code = job["code"]
    await ask([question("kit", artisan, job["brand"], kit_id, code, code=code, kit=summary(lines))])


async def _settle(
    actor: Principal,
    kit_id: int,
    scope: Combinable,
    to: KitStatus,
    values: dict[Any, Any],
    **detail: Any,
) -> dict[str, Any]:
    """Move a kit of ``scope`` on to ``to`` (in the caller's transaction), only if it is still as
    read, and audit it: the row before. A kit moved already, or meanwhile: ``kit_settled``."""
    row = await Kit.select().where((Kit.id == kit_id) & scope).first()
    if row is None:
        raise NotFound()
    start = KitStatus.SHORT if to in (KitStatus.ADJUSTED, KitStatus.DEDUCTED) else KitStatus.HANDED_OUT
    if row["status"] != start.value:
        raise KitSettled()
    changed = (
        await Kit.update({Kit.status: to.value, **values})
        .where((Kit.id == kit_id) & (Kit.status == start.value))
        .returning(Kit.id)
    )
    if not changed:
        raise KitSettled()
    await record_event(
        actor if actor.is_staff else acting_in(actor, row["brand"]),
        brand_id=row["brand"],
        entity="kit",
        entity_id=kit_id,
        action=ACTIONS[to],
        from_status=row["status"],
        to_status=to.value,
        job_id=row["job"],
        **detail,
    )
    return row


async def receive_kit(actor: Principal, kit_id: int) -> KitRead:
    """She got everything in the kit."""
    require_membership(actor, Role.ARTISAN)
    own = Kit.artisan.is_in(list(actor.member_ids(Role.ARTISAN)))
    async with write_transaction():
        values = {Kit.confirmed_at: utcnow(), Kit.confirmed_via: actor.via.value}
        await _settle(actor, kit_id, own, KitStatus.RECEIVED, values)
        return await read_kit(kit_id)


async def report_short(actor: Principal, kit_id: int, note: str) -> KitRead:
    """Something is missing; her note says what. A coordinator decides; nothing is deducted before."""
    require_membership(actor, Role.ARTISAN)
    own = Kit.artisan.is_in(list(actor.member_ids(Role.ARTISAN)))
    async with write_transaction():
        note = note.strip()
        values = {Kit.confirmed_at: utcnow(), Kit.confirmed_via: actor.via.value, Kit.note: note}
        await _settle(actor, kit_id, own, KitStatus.SHORT, values, note=note)
        return await read_kit(kit_id)


async def decide_kit(actor: Principal, kit_id: int, data: KitDecide) -> KitRead:
    """A coordinator's decision on a shortage, its reason written: ``adjust`` (what she actually
    got, per line; nothing deducted) or ``deduct`` (``amount_fen`` off that job's payout)."""
    require_role(actor, *STAFF)
    reason = data.reason.strip()
    if not reason:
        raise Invalid(N_("Please fill this in."), fields={"reason": "blank"})
    amount = _amount(data)
    async with write_transaction():
        row = await Kit.select(Kit.job).where((Kit.id == kit_id) & (Kit.brand == actor.brand_id)).first()
        if row is None:
            raise NotFound()
        await _lock_job(row["job"])
        received = await _received(kit_id, data)
        to = KitStatus.DEDUCTED if data.decision == KitDecisionKind.DEDUCT else KitStatus.ADJUSTED
        detail = {"amount_fen": amount, "reason": reason, "received": {str(k): as_text(v) for k, v in received.items()}}
        await _settle(actor, kit_id, Kit.brand == actor.brand_id, to, {}, **detail)
        if data.decision == KitDecisionKind.DEDUCT:
            await _check_deductible(actor, row["job"], amount)
        for line_id, milli in received.items():
            await KitLine.update({KitLine.received_milli: milli}).where(KitLine.id == line_id)
        decision = KitDecision(
            kit=kit_id,
            brand=actor.brand_id,
            job=row["job"],
            decision=data.decision.value,
            amount_fen=amount,
            reason=reason,
            decided_by=actor.member_id,
        )
        await decision.save()
        return await read_kit(kit_id)


def _amount(data: KitDecide) -> int:
    if data.decision == KitDecisionKind.ADJUST:
        if data.amount_fen:
            raise Invalid(N_("An adjustment deducts nothing."), fields={"amount_fen": "not_deducted"})
        return 0
    if not data.amount_fen:
        raise Invalid(N_("Write the amount to deduct."), fields={"amount_fen": "required"})
    return data.amount_fen


async def _check_deductible(actor: Principal, job_id: int, amount: int) -> None:
    """A deduction comes off the job's own payout: not once it is paid, never more than what
    its accepted pieces earn, less what was decided to deduct from it already."""
    job = await Job.select(Job.status, Job.quantity_accepted, Job.order.unit_price_fen).where(Job.id == job_id).first()
    assert job is not None  # noqa: S101 - a kit's job is never deleted
    if job["status"] in PAID:
        raise InvalidTransition(status=job["status"])
    decided = await KitDecision.select(KitDecision.amount_fen).where(KitDecision.job == job_id)
    most = job["quantity_accepted"] * job["order.unit_price_fen"] - sum(int(d["amount_fen"]) for d in decided)
    if amount > most:
        raise Invalid(
            N_("At most {amount} can be deducted from this job."),
            fields={"amount_fen": "over_limit"},
            amount=format_money(max(most, 0), actor.locale),
        )


async def _received(kit_id: int, data: KitDecide) -> dict[int, int]:
    """What she actually got of each line named, at most what was handed out."""
    lines = {row["id"]: row for row in await KitLine.select().where(KitLine.kit == kit_id)}
    found: dict[int, int] = {}
    for index, line in enumerate(data.received_lines):
        field = f"received_lines[{index}]"
        if line.line_id not in lines:
            raise Invalid(N_("This line is not in the kit."), fields={field: "unknown_line"})
        milli = to_milli(line.quantity, field, zero=True)
        if milli > lines[line.line_id]["quantity_milli"]:
            raise Invalid(N_("She cannot have got more than was handed out."), fields={field: "over_handed_out"})
        found[line.line_id] = milli
    return found


async def kit_deductions(job_ids: list[int]) -> dict[int, int]:
    """What coordinators decided to deduct from each job's payout, not deducted yet."""
    if not job_ids:
        return {}
    rows = await KitDecision.select(KitDecision.job, KitDecision.amount_fen).where(
        KitDecision.job.is_in(job_ids)
        & (KitDecision.decision == KitDecisionKind.DEDUCT.value)
        & KitDecision.deducted_in.is_null()
    )
    found: dict[int, int] = {}
    for row in rows:
        found[row["job"]] = found.get(row["job"], 0) + int(row["amount_fen"])
    return found


async def deduct_kits(job_id: int, payout_id: int) -> None:
    """At the job's payout (inside its transaction): its deduction decisions are taken."""
    await KitDecision.update({KitDecision.deducted_in: payout_id}).where(
        (KitDecision.job == job_id)
        & (KitDecision.decision == KitDecisionKind.DEDUCT.value)
        & KitDecision.deducted_in.is_null()
    )
