"""The demo brand: villages of Guizhou and Yunnan, artisans, and orders in several states.

Seeded through the same services as the API, so the audit trail reads like real use.
"""

from __future__ import annotations

import datetime as dt
import io
import logging

from PIL import Image, ImageDraw

from backend.accounts.consent import change_consent
from backend.accounts.schemas import VillageCreate
from backend.accounts.service import add_member, create_brand, create_village, principal_for
from backend.accounts.tables import Brand
from backend.core.china_time import china_today
from backend.core.types import Channel, Principal, Role
from backend.db.session import run
from backend.jobs.dispatch import dispatch
from backend.jobs.schemas import Decision, DispatchRequest, JobRead, Offer, ReviewRequest, SubmissionCreate
from backend.jobs.service import accept_job
from backend.jobs.submissions import review_submission, submit_work
from backend.orders.schemas import OrderCreate
from backend.orders.service import create_order
from backend.payouts.schemas import PayoutCreate, PayoutMethod
from backend.payouts.service import record_payout
from backend.photos.service import upload_photo

log = logging.getLogger("cunjiang.demo")

SLUG = "demo"
COORDINATOR_PHONE = "13800000001"
ARTISAN_PHONE = "13800000002"
SMS_VILLAGER_PHONE = "13800000003"  # SMS only, with an open offer: try her in the SMS simulator
ADMIN_PHONE = "13800000009"  # manages coordinators, village leaders, crafts and settings

VILLAGES = [
    ("西江千户苗寨", "雷山县", "贵州省"),
    ("石桥村", "丹寨县", "贵州省"),
    ("周城村", "大理市", "云南省"),
    ("新华村", "鹤庆县", "云南省"),
]
# name, phone, village index, crafts, sms_only, locale
ARTISANS = [
    ("杨阿妹", ARTISAN_PHONE, 0, ["embroidery"], False, "zh_Hans"),
    ("吴秀英", SMS_VILLAGER_PHONE, 0, ["embroidery", "batik"], True, "zh_Hans"),
    ("王金花", "13800000004", 1, ["batik"], True, "zh_Hans"),
    ("段丽", "13800000005", 2, ["batik", "weaving"], False, "zh_Hans"),
    ("寸发标", "13800000006", 3, ["silverwork"], False, "zh_Hans"),
    ("Li Na", "13800000007", 2, ["weaving"], False, "en"),
]


def demo_photo(hue: int) -> bytes:
    """A small patterned picture standing in for a photo of embroidery."""
    image = Image.new("RGB", (640, 480), (240, 230, 210))
    draw = ImageDraw.Draw(image)
    for step in range(0, 640, 40):
        draw.ellipse((step, 200 - hue % 80, step + 36, 236 + hue % 80), fill=((hue * 7) % 255, 60, 90))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


async def _people(brand_id: int, coordinator: Principal) -> list[Principal]:
    village_ids = [
        (await create_village(coordinator, VillageCreate(name=n, county=c, province=p))).id for n, c, p in VILLAGES
    ]
    await add_member(brand_id, role=Role.LEADER, phone="13800000008", name="杨村长", village_id=village_ids[0])
    artisans = []
    for name, phone, village, crafts, sms_only, locale in ARTISANS:
        member = await add_member(
            brand_id,
            role=Role.ARTISAN,
            phone=phone,
            name=name,
            village_id=village_ids[village],
            crafts=crafts,
            sms_only=sms_only,
            locale=locale,
        )
        artisans.append(await principal_for(member.id, Channel.APP))
    return artisans


# title, craft, pieces, piece rate (fen), days until due, quality notes, offers (artisan, pieces),
# estimated hours per piece (None: not estimated)
ORDERS = [
    ("苗绣蝴蝶纹围巾", "embroidery", 60, 4500, 30, "针脚均匀，不露线头。", [(0, 20), (1, 20)], 6.0),
    ("蜡染靠垫套", "batik", 40, 3800, 21, "冰纹自然，颜色不掉。", [(2, 15), (3, 15)], 2.5),
    ("银饰手镯（錾花）", "silverwork", 25, 12000, 45, "足银，錾花清晰。", [], None),
]


async def _orders(coordinator: Principal, artisans: list[Principal]) -> list[list[JobRead]]:
    """Create the demo orders and their offers; the jobs of each order, in offer order."""
    dispatched = []
    for number, (title, craft, quantity, rate, days, notes, offers, hours) in enumerate(ORDERS):
        pattern = await upload_photo(coordinator, demo_photo(40 + 17 * number))  # the brand's own design
        order = await create_order(
            coordinator,
            OrderCreate(
                title=title,
                craft=craft,
                quantity=quantity,
                unit_price_fen=rate,
                due_date=china_today() + dt.timedelta(days=days),
                quality_notes=notes,
                photo_ids=[pattern.id],
                hours_per_piece=hours,
            ),
        )
        wanted = [Offer(artisan_id=artisans[who].member_id, quantity=pieces) for who, pieces in offers]
        dispatched.append(await dispatch(coordinator, order.id, DispatchRequest(offers=wanted)) if wanted else [])
    return dispatched


async def _progress(coordinator: Principal, artisans: list[Principal], jobs: list[list[JobRead]]) -> None:
    """Move some jobs along: one paid, one submitted and waiting for review."""
    scarf, batik = jobs[0][0], jobs[1][1]
    await accept_job(artisans[0], scarf.id, 20)
    photo = await upload_photo(artisans[0], demo_photo(3))
    submission = await submit_work(artisans[0], scarf.id, SubmissionCreate(quantity=20, photo_ids=[photo.id]))
    await review_submission(coordinator, submission.id, ReviewRequest(decision=Decision.APPROVE))
    await record_payout(coordinator, scarf.id, PayoutCreate(method=PayoutMethod.WECHAT, reference="WX20261120"))
    # She lets buyers who scan the scarf's label see her name and village (the approval made
    # its passport): the demo's passport page shows a maker, not only "chose not to be named".
    await change_consent(artisans[0], {"name": True, "village": True})

    await accept_job(artisans[3], batik.id, 10)
    photo = await upload_photo(artisans[3], demo_photo(11))
    await submit_work(artisans[3], batik.id, SubmissionCreate(quantity=10, photo_ids=[photo.id], note="第一批"))


async def demo_passport() -> str | None:
    """The demo brand's first piece passport (its scarf), if it has one."""
    rows = await run(
        "SELECT p.id FROM passport p JOIN brand b ON b.id = p.brand WHERE b.slug = {} ORDER BY p.created_at LIMIT 1",
        SLUG,
    )
    return str(rows[0]["id"]) if rows else None


async def seed_demo() -> bool:
    """Create the demo brand unless it exists; True when it was created now."""
    if await Brand.exists().where(Brand.slug == SLUG):
        return False
    brand_id = await create_brand(SLUG, "黔滇手作（演示）")
    await add_member(brand_id, role=Role.ADMIN, phone=ADMIN_PHONE, name="管理员")
    coordinator_member = await add_member(brand_id, role=Role.COORDINATOR, phone=COORDINATOR_PHONE, name="陈协调")
    coordinator = await principal_for(coordinator_member.id, Channel.CONSOLE)
    artisans = await _people(brand_id, coordinator)
    await _progress(coordinator, artisans, await _orders(coordinator, artisans))
    log.info("demo brand seeded")
    return True
