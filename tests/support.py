"""Test data builders: valid rows with explicit defaults, made through the services."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import itertools
import random
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from PIL import Image

from backend.accounts.schemas import VillageCreate
from backend.accounts.service import add_member, create_brand, create_village, principal_for
from backend.auth.service import issue_token
from backend.core.china_time import china_today
from backend.core.types import Channel, Role

CALLBACK_TOKEN = "callback-secret"  # what Aliyun's pushes carry as ?token= in tests (the fixture callback_token)
_numbers = itertools.count(random.randrange(10_000_000, 90_000_000, 1000))
_slugs = itertools.count(1)


def new_phone() -> str:
    """A valid Chinese mobile number nobody else in this run has."""
    return f"+86139{next(_numbers):08d}"


@dataclass
class Person:
    id: int
    phone: str
    role: Role
    token: str
    village_id: int | None = None

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Brand:
    id: int
    slug: str
    coordinator: Person
    villages: list[int] = field(default_factory=list)


async def person(brand_id: int, role: Role, village_id: int | None = None, **extra: Any) -> Person:
    phone = new_phone()
    member = await add_member(
        brand_id, role=role, phone=phone, name=f"{role.value} {phone[-4:]}", village_id=village_id, **extra
    )
    return Person(id=member.id, phone=phone, role=role, token=await issue_token(member.id), village_id=village_id)


async def brand(villages: int = 1, name: str | None = None) -> Brand:
    """A brand with a coordinator and ``villages`` villages; ``name`` is what people see (by
    default one made from its slug, unique in the run)."""
    slug = f"brand-{random.randrange(10**6)}-{next(_slugs)}"
    brand_id = await create_brand(slug, name or f"Brand {slug}")
    coordinator = await person(brand_id, Role.COORDINATOR)
    actor = await principal_for(coordinator.id, Channel.CONSOLE)
    village_ids = [
        (await create_village(actor, VillageCreate(name=f"村{i}", county="雷山县", province="贵州省"))).id
        for i in range(villages)
    ]
    return Brand(id=brand_id, slug=slug, coordinator=coordinator, villages=village_ids)


async def artisan(b: Brand, **extra: Any) -> Person:
    return await person(b.id, Role.ARTISAN, village_id=b.villages[0], crafts=["embroidery"], **extra)


def order_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "苗绣围巾",
        "craft": "embroidery",
        "quantity": 20,
        "unit_price_fen": 4500,
        "due_date": (china_today() + dt.timedelta(days=20)).isoformat(),
        "description": "",
        "quality_notes": "",
    }
    return body | overrides


def jpeg_bytes(width: int = 800, height: int = 600, color: tuple[int, int, int] = (180, 40, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG")
    return buffer.getvalue()


async def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def open_order(client: httpx.AsyncClient, b: Brand, **overrides: Any) -> dict[str, Any]:
    return await ok(await client.post("/api/v1/orders", json=order_body(**overrides), headers=b.coordinator.auth), 201)


async def offer(
    client: httpx.AsyncClient, b: Brand, order_id: int, *offers: tuple[Person, int]
) -> list[dict[str, Any]]:
    body = {"offers": [{"artisan_id": p.id, "quantity": q} for p, q in offers]}
    result = await ok(
        await client.post(f"/api/v1/orders/{order_id}/dispatch", json=body, headers=b.coordinator.auth), 201
    )
    return result["jobs"]  # type: ignore[no-any-return]


# Helpers of the authorisation and hostile-input tests.

ERROR_KEYS = frozenset({"code", "message", "fields", "rows"})
ROW_KEYS = frozenset({"row", "column", "code", "message"})


def refused(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert an error answer: its status and the one body shape ``{code, message, fields?, rows?}``.

    ``fields`` belongs to invalid input only (400, 422), ``rows`` to a file with bad rows
    (422 ``import_invalid``); nothing else may ride along.
    """
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text[:500]}"
    assert response.headers.get("content-type", "").startswith("application/json"), response.headers
    body = response.json()
    assert isinstance(body, dict), body
    assert {"code", "message"} <= set(body) <= ERROR_KEYS, body
    assert isinstance(body["code"], str), body
    assert re.fullmatch(r"[a-z][a-z_]*", body["code"]), body
    assert isinstance(body["message"], str), body
    assert body["message"].strip(), body
    if "fields" in body:
        assert status in (400, 422), body
        assert isinstance(body["fields"], dict), body
        assert all(isinstance(v, str) for v in body["fields"].values()), body
    if "rows" in body:
        assert (status, body["code"]) == (422, "import_invalid"), body
        assert all(set(problem) == ROW_KEYS for problem in body["rows"]), body
    if code is not None:
        assert body["code"] == code, body
    return body  # type: ignore[no-any-return]


@contextlib.asynccontextmanager
async def client_from(client: httpx.AsyncClient, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """The same app seen from another address: sign-in codes are rate-limited per address,
    so a test that asks for many codes does not use up the shared client's allowance."""
    transport = httpx.ASGITransport(app=client._transport.app, client=(address, 4711))  # type: ignore[attr-defined]
    async with httpx.AsyncClient(transport=transport, base_url=str(client.base_url)) as other:
        yield other


async def brand_rows(*brand_ids: int) -> dict[str, list[dict[str, Any]]]:
    """Every row these brands own (last-seen times aside): equal before and after a refused request."""
    from backend.db.session import fetch

    marks = ", ".join("{}" for _ in brand_ids)
    rows: dict[str, list[dict[str, Any]]] = {}
    for table in BRAND_TABLES:
        found = await fetch(f"SELECT * FROM {table} WHERE brand IN ({marks}) ORDER BY id", brand_ids)  # noqa: S608
        rows[table] = [{k: v for k, v in row.items() if k != "last_seen_at"} for row in found]
    return rows


BRAND_TABLES = (
    "village",
    "member",
    "production_order",
    "job",
    "submission",
    "payout",
    "advance",
    "price_feedback",
    "photo",
    "audit_event",
    "outbox_message",
    "sms_dead_letter",
)


@dataclass
class Work:
    """A job brought to some state, with the submission and payout made on the way."""

    order_id: int
    job_id: int
    photo_id: int | None = None
    submission_id: int | None = None
    payout_id: int | None = None


# The arrows of DESIGN.md's state machine that lead to each state, starting from an offer.
ROUTE_TO: dict[str, tuple[str, ...]] = {
    "offered": (),
    "accepted": ("accept",),
    "declined": ("decline",),
    "withdrawn": ("withdraw",),
    "expired": ("expire",),
    "submitted": ("accept", "submit"),
    "rework": ("accept", "submit", "rework"),
    "approved": ("accept", "submit", "approve"),
    "paid": ("accept", "submit", "approve", "pay"),
    "confirmed": ("accept", "submit", "approve", "pay", "confirm"),
    "disputed": ("accept", "submit", "approve", "pay", "dispute"),
}

# step: (who acts, path, body, success status)
_REVIEW = "/api/v1/submissions/{submission_id}/review"
_STEPS: dict[str, tuple[str, str, dict[str, Any] | None, int]] = {
    "accept": ("artisan", "/api/v1/jobs/{job_id}/accept", {}, 200),
    "decline": ("artisan", "/api/v1/jobs/{job_id}/decline", {"reason": "忙不过来"}, 200),
    "withdraw": ("coordinator", "/api/v1/jobs/{job_id}/withdraw", None, 200),
    "submit": ("artisan", "/api/v1/jobs/{job_id}/submissions", {"photo_ids": []}, 201),
    "rework": ("coordinator", _REVIEW, {"decision": "rework", "reason": "线头"}, 200),
    "approve": ("coordinator", _REVIEW, {"decision": "approve"}, 200),
    "pay": ("coordinator", "/api/v1/jobs/{job_id}/payout", {"method": "wechat", "reference": "WX-1"}, 201),
    "confirm": ("artisan", "/api/v1/payouts/{payout_id}/confirm", None, 200),
    "dispute": ("artisan", "/api/v1/payouts/{payout_id}/dispute", {"reason": "没收到"}, 200),
}


async def upload_photo(client: httpx.AsyncClient, uploader: Person, color: tuple[int, int, int] = (90, 60, 30)) -> int:
    files = {"file": ("work.jpg", jpeg_bytes(64, 48, color), "image/jpeg")}
    return int((await ok(await client.post("/api/v1/photos", files=files, headers=uploader.auth), 201))["id"])


async def job_in_state(
    client: httpx.AsyncClient, b: Brand, who: Person, state: str, *, order_id: int | None = None, quantity: int = 5
) -> Work:
    """A job of ``who`` offered ``quantity`` pieces and brought to ``state`` through the API.

    Without ``order_id`` the job gets an order of its own. Expiry is the worker's business:
    it is applied to this one job directly.
    """
    if order_id is None:
        order_id = (await open_order(client, b, quantity=max(quantity, 20)))["id"]
    [job] = await offer(client, b, order_id, (who, quantity))
    work = Work(order_id=order_id, job_id=job["id"])
    for step in ROUTE_TO[state]:
        await _take_step(client, b, who, work, step, quantity)
    return work


async def _take_step(client: httpx.AsyncClient, b: Brand, who: Person, work: Work, step: str, quantity: int) -> None:
    if step == "expire":
        from backend.db.session import write_transaction
        from backend.jobs.machine import Action, transition

        async with write_transaction():
            await transition(work.job_id, Action.EXPIRE, None)
        return
    actor, path, body, status = _STEPS[step]
    if step == "submit":
        work.photo_id = work.photo_id or await upload_photo(client, who)
        body = {"quantity": quantity, "photo_ids": [work.photo_id]}
    headers = who.auth if actor == "artisan" else b.coordinator.auth
    url = path.format(job_id=work.job_id, submission_id=work.submission_id, payout_id=work.payout_id)
    answer = await ok(await client.post(url, json=body, headers=headers), status)
    if step == "submit":
        work.submission_id = answer["id"]
        work.photo_id = answer["photo_ids"][0]  # the job's brand's (her upload as another brand's is brought over)
    elif step == "pay":
        work.payout_id = answer["id"]


def fill(template: Any, ids: dict[str, Any]) -> Any:
    """A request body template with every ``"{name}"`` string replaced by ``ids[name]``, type and all."""
    if isinstance(template, str) and template.startswith("{") and template.endswith("}"):
        return ids[template[1:-1]]
    if isinstance(template, dict):
        return {key: fill(value, ids) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(value, ids) for value in template]
    return template


def sms(body: str) -> Any:
    """A message for outbox tests: any text under the template key ``test``."""
    from backend.messages.templates import Rendered

    return Rendered(key="test", locale="zh_Hans", body=body, variables={})


async def drain(gateway: Any, *, batch: int = 20) -> None:
    """Deliver everything due now through ``gateway`` (what the budget holds back waits)."""
    from backend.core.types import utcnow
    from backend.outbox import Pacing, deliver_due
    from backend.outbox.tables import OutboxMessage

    due = OutboxMessage.status.is_in(["pending", "sending", "unconfirmed"])
    while await OutboxMessage.exists().where(due & (OutboxMessage.next_attempt_at <= utcnow())):
        await deliver_due(gateway, pacing=Pacing(batch=batch, per_second=1000))


def as_moment(value: Any) -> dt.datetime:
    """A stored moment as an aware datetime (SQLite gives ISO text)."""
    from backend.core.types import as_datetime

    return as_datetime(value)


async def person_of(member_id: int) -> int:
    """The person whose membership this is."""
    from backend.db.session import run

    rows = await run("SELECT person FROM member WHERE id = {}", member_id)
    return int(rows[0]["person"])
