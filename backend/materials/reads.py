"""Reading kits: one, an order's, her own, and what is out per village."""

from __future__ import annotations

from typing import Any

from piccolo.custom_types import Combinable

from backend.core.access import STAFF, require_membership, require_role
from backend.core.errors import NotFound
from backend.core.types import Principal, Role
from backend.db.session import fetch
from backend.materials.quantities import as_text
from backend.materials.schemas import (
    KitDecisionKind,
    KitDecisionRead,
    KitLineRead,
    KitOut,
    KitRead,
    KitStatus,
)
from backend.materials.tables import Kit, KitDecision, KitLine

COLUMNS = (*Kit.all_columns(), Kit.job.code, Kit.job.order, Kit.artisan.name)
MOST = 500
UNACCOUNTED = (KitStatus.HANDED_OUT.value, KitStatus.SHORT.value)  # waiting for her word, or for a decision


async def _kits(where: Combinable) -> list[KitRead]:
    rows = await Kit.select(*COLUMNS).where(where).order_by(Kit.id, ascending=False).limit(MOST)
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    lines: dict[int, list[KitLineRead]] = {}
    for line in await KitLine.select().where(KitLine.kit.is_in(ids)).order_by(KitLine.id):
        lines.setdefault(line["kit"], []).append(
            KitLineRead(
                id=line["id"],
                material=line["material"],
                quantity=as_text(line["quantity_milli"]),
                unit=line["unit"],
                lot=line["lot"],
                received=None if line["received_milli"] is None else as_text(line["received_milli"]),
            )
        )
    decisions = {row["kit"]: row for row in await KitDecision.select().where(KitDecision.kit.is_in(ids))}
    return [_kit_read(row, lines.get(row["id"], []), decisions.get(row["id"])) for row in rows]


def _kit_read(row: dict[str, Any], lines: list[KitLineRead], decision: dict[str, Any] | None) -> KitRead:
    return KitRead(
        id=row["id"],
        job_id=row["job"],
        code=row["job.code"],
        order_id=row["job.order"],
        artisan_id=row["artisan"],
        artisan_name=row["artisan.name"],
        brand_id=row["brand"],
        status=KitStatus(row["status"]),
        note=row["note"],
        lines=lines,
        handed_by=row["handed_by"],
        handed_at=row["handed_at"],
        confirmed_at=row["confirmed_at"],
        confirmed_via=row["confirmed_via"],
        decision=None
        if decision is None
        else KitDecisionRead(
            decision=KitDecisionKind(decision["decision"]),
            amount_fen=decision["amount_fen"],
            reason=decision["reason"],
            decided_by=decision["decided_by"],
            decided_at=decision["decided_at"],
            deducted_in=decision["deducted_in"],
        ),
    )


async def read_kit(kit_id: int) -> KitRead:
    found = await _kits(Kit.id == kit_id)
    if not found:
        raise NotFound()
    return found[0]


async def order_kits(actor: Principal, order_id: int) -> list[KitRead]:
    """Staff: the kits of an order's jobs, newest first (an order of another brand has none)."""
    require_role(actor, *STAFF)
    return await _kits((Kit.job.order == order_id) & (Kit.brand == actor.brand_id))


async def my_kits(actor: Principal) -> list[KitRead]:
    """Her own kits, every brand, newest first."""
    require_membership(actor, Role.ARTISAN)
    return await _kits(Kit.artisan.is_in(list(actor.member_ids(Role.ARTISAN))))


async def artisan_kit(actor: Principal, kit_id: int) -> KitRead | None:
    """Her kit (the SMS conversation's item), if it is hers."""
    found = await _kits((Kit.id == kit_id) & Kit.artisan.is_in(list(actor.member_ids(Role.ARTISAN))))
    return found[0] if found else None


async def waiting_kit_of_job(actor: Principal, job_id: int) -> KitRead | None:
    """The newest kit of her job still waiting for her word (an SMS names it by the job's code)."""
    own = Kit.artisan.is_in(list(actor.member_ids(Role.ARTISAN)))
    found = await _kits((Kit.job == job_id) & (Kit.status == KitStatus.HANDED_OUT.value) & own)
    return found[0] if found else None


OUT = """
SELECT m.village AS village_id, COALESCE(v.name, '') AS village, l.material, l.unit, l.lot,
       SUM(l.quantity_milli) AS handed_out,
       SUM(CASE WHEN k.status IN ({}, {}) THEN l.quantity_milli ELSE 0 END) AS outstanding,
       COUNT(DISTINCT k.id) AS kits
FROM kit_line l JOIN kit k ON k.id = l.kit JOIN member m ON m.id = k.artisan LEFT JOIN village v ON v.id = m.village
WHERE k.brand = {} {village}
GROUP BY m.village, v.name, l.material, l.unit, l.lot
ORDER BY COALESCE(v.name, ''), l.material, l.unit, l.lot
LIMIT 2000
"""


async def kits_out(actor: Principal, village_id: int | None) -> list[KitOut]:
    """Staff: materials handed out, per village, material, unit and lot, and of them what is not
    accounted for yet (no word from her, or a shortage waiting for a decision)."""
    require_role(actor, *STAFF)
    params: list[Any] = [*UNACCOUNTED, actor.brand_id]
    sql = OUT.replace("{village}", "AND m.village = {}" if village_id is not None else "")
    if village_id is not None:
        params.append(village_id)
    return [
        KitOut(
            village_id=row["village_id"],
            village=row["village"],
            material=row["material"],
            unit=row["unit"],
            lot=row["lot"],
            handed_out=as_text(int(row["handed_out"])),
            outstanding=as_text(int(row["outstanding"])),
            kits=int(row["kits"]),
        )
        for row in await fetch(sql, params)
    ]
