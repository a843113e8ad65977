"""Leaving a brand by SMS (sms_flows/leave.toml): the same service as the app, hers alone."""

from __future__ import annotations

import httpx

from backend.accounts.tables import Brand as BrandTable
from backend.accounts.tables import Member
from backend.audit.tables import AuditEvent
from backend.db.session import run
from tests.integration.memberships.test_two_brands import shared
from tests.integration.sms.webhook import text
from tests.support import ok

API = "/api/v1"


async def test_leaving_by_sms_is_leaving_in_the_app(client: httpx.AsyncClient, twilio_token: str) -> None:
    a, b, her, in_b = await shared(client)
    await BrandTable.update({BrandTable.short_name: "李家"}).where(BrandTable.id == b.id)

    await text(client, her.phone, "退出李家")

    [left] = await Member.select(Member.active, Member.left_at).where(Member.id == in_b)
    assert left["active"] is False
    assert left["left_at"] is not None
    assert (await ok(await client.get(f"{API}/artisans", headers=b.coordinator.auth)))["artisans"] == []
    [event] = await AuditEvent.select().where((AuditEvent.brand == b.id) & (AuditEvent.action == "leave"))
    assert (event["actor"], event["channel"]) == (in_b, "sms")
    answers = await run("SELECT brand, member, kind FROM outbox_message WHERE to_phone = {} ORDER BY id", her.phone)
    assert (answers[-1]["brand"], answers[-1]["member"], answers[-1]["kind"]) == (b.id, in_b, "left")
    me = await ok(await client.get(f"{API}/me", headers=her.auth))
    assert [m["brand"]["id"] for m in me["memberships"]] == [a.id]


async def test_staff_typing_as_her_in_the_simulator_cannot_make_her_leave(client: httpx.AsyncClient) -> None:
    _a, b, her, in_b = await shared(client)
    body = {"phone": her.phone, "body": f"退出 Brand {b.slug}"}

    typed = await ok(await client.post(f"{API}/sms/simulator", json=body, headers=b.coordinator.auth), 201)

    assert typed["messages"][-1]["body"] == "现在无法办理。回复0查看待办。"
    [still] = await Member.select(Member.active).where(Member.id == in_b)
    assert still["active"] is True
