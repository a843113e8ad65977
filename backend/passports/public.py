"""What anyone may see of a passport, no sign-in: its facts as the maker consented (read
afresh on every request, so a revocation shows at once), its allowed photos, its signature,
and a scan counted per China day (nothing about who scanned)."""

from __future__ import annotations

import json
from typing import Any, Literal

from backend.accounts.consent import consent_of
from backend.accounts.schemas import ConsentRead
from backend.accounts.shown import shown_name, shown_village, shown_words
from backend.core.china_time import china_today, in_china
from backend.core.errors import NotFound
from backend.core.types import as_datetime
from backend.db.session import fetch, run, write_transaction
from backend.passports import signing
from backend.passports.schemas import Facts, Maker, SignedPassport
from backend.passports.service import ID_PATTERN, as_day, public_url
from backend.photos.service import StoredImage, photo_store
from backend.photos.storage import photo_key
from backend.photos.tables import Photo

PhotoKind = Literal["pattern", "work"]
PHOTO_SIZE = "review"  # about a phone screen wide: enough for a buyer, light on 2G

FACTS = """
SELECT p.id, p.brand, p.person, p.approved_at, p.withdrawn_at,
       b.name AS brand_name, o.title, o.description, o.craft, o.photo_ids AS pattern_ids,
       s.quantity, s.photo_ids AS work_ids, m.name AS maker_name,
       v.name AS village, COALESCE(v.county, '') AS county, COALESCE(v.province, '') AS province,
       c.names AS craft_names,
       (SELECT y.confirmed_at FROM payout y WHERE y.job = p.job AND y.status = 'confirmed') AS paid_at
FROM passport p JOIN brand b ON b.id = p.brand JOIN production_order o ON o.id = p."order"
JOIN submission s ON s.id = p.submission JOIN member m ON m.id = p.member
LEFT JOIN village v ON v.id = m.village LEFT JOIN craft c ON c.brand = p.brand AND c.code = o.craft
WHERE p.id = {}
"""


class Found:
    """A passport's row and its maker's consent, as read for this one request."""

    def __init__(self, row: dict[str, Any], consent: ConsentRead) -> None:
        self.row, self.consent = row, consent

    @property
    def withdrawn(self) -> bool:
        return self.row["withdrawn_at"] is not None

    def photo_id(self, kind: PhotoKind) -> int | None:
        """The photo of ``kind`` the page may show: the order's first pattern photo; her first
        approved photo of the work, only with her consent."""
        if self.withdrawn or (kind == "work" and not self.consent.photo):
            return None
        ids = json.loads(self.row["pattern_ids" if kind == "pattern" else "work_ids"] or "[]")
        return int(ids[0]) if ids else None


async def find(passport_id: str) -> Found:
    """The passport (withdrawn too) and its maker's consent now; NotFound for an unknown id."""
    if not ID_PATTERN.fullmatch(passport_id):
        raise NotFound()
    rows = await fetch(FACTS, (passport_id,))
    if not rows:
        raise NotFound()
    row = dict(rows[0])
    return Found(row, await consent_of(row["person"]))


def _month(value: object) -> str | None:
    return None if value is None else in_china(as_datetime(value)).strftime("%Y-%m")


def facts_of(found: Found) -> Facts:
    row, consent = found.row, found.consent
    base = public_url(row["id"])
    name = shown_name(consent.name, consent.display_name, row["maker_name"])
    return Facts(
        id=row["id"],
        url=base,
        status="withdrawn" if found.withdrawn else "valid",
        brand=row["brand_name"],
        product=row["title"],
        craft=json.loads(row["craft_names"] or "{}") or {"zh_Hans": row["craft"]},
        pieces=row["quantity"],
        county=row["county"],
        province=row["province"],
        village=shown_village(consent.village, row["village"]),
        approved_month=_month(row["approved_at"]) or "",
        design_story=row["description"],
        pattern_photo=f"{base}/pattern" if found.photo_id("pattern") else None,
        maker=Maker(named=name is not None, name=name, words=shown_words(consent.story, consent.story_text)),
        work_photo=f"{base}/work" if found.photo_id("work") else None,
        paid_confirmed_month=_month(row["paid_at"]),
    )


async def signed(found: Found) -> SignedPassport:
    """The facts signed with the brand's Ed25519 key (made on first need)."""
    facts = facts_of(found)
    key = await signing.key_of(found.row["brand"])
    signature = signing.sign(key, facts)
    return SignedPassport(facts=facts, alg=signing.ALG, kid=signature.kid, signature=signature.value)


SCAN = """
INSERT INTO passport_scan (passport, day, scans) VALUES ({}, {}, 1)
ON CONFLICT (passport, day) DO UPDATE SET scans = passport_scan.scans + 1
"""


async def count_scan(passport_id: str) -> None:
    """One more opening of the page today (China day): one atomic upsert, nobody recorded."""
    async with write_transaction():
        await run(SCAN, passport_id, as_day(china_today()))


async def photo(found: Found, kind: PhotoKind) -> StoredImage:
    """A photo the page shows, in the page's size; NotFound for any other."""
    photo_id = found.photo_id(kind)
    if photo_id is None:
        raise NotFound()
    row = await Photo.select(Photo.content_hash).where(Photo.id == photo_id).first()
    blob = None if row is None else await photo_store().get(photo_key(row["content_hash"], PHOTO_SIZE))
    if row is None or blob is None:
        raise NotFound()
    return StoredImage(blob, "image/jpeg", f'"{row["content_hash"][:32]}-{PHOTO_SIZE}-jpg"')
