"""Test data builders: valid rows with explicit defaults, made through the services."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import random
from dataclasses import dataclass, field
from typing import Any

import httpx
from PIL import Image

from backend.accounts.schemas import VillageCreate
from backend.accounts.service import add_member, create_brand, create_village, principal_for
from backend.auth.service import issue_token
from backend.core.types import Channel, Role, china_today

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


async def brand(villages: int = 1) -> Brand:
    slug = f"brand-{random.randrange(10**6)}-{next(_slugs)}"
    brand_id = await create_brand(slug, f"Brand {slug}")
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
