"""The authorisation matrix: every endpoint of the contract × every role × own and another brand's data.

One world is built for the module: brands A and B of the same shape (an admin, a coordinator,
the leader of village V1, artisan a1 in V1, artisan a2 in V2, one order with jobs in every
state of the loop, photos and payouts). Every caller belongs to brand A; "own" cases aim at
A's ids, "other" cases at B's. Refused requests must change nothing; requests that succeed
act on resources made for that case, so that no case depends on another.

A third brand C shares artisans with both: its a1 is A's a1 and its a2 is B's a1, each of
whom said yes to C, with work there in every state. A's staff aim at C's ids in "shared"
cases and get what they get on B's: that an artisan also works for them opens nothing of
her work elsewhere. (A's a1 is C's a1: her own work there is hers, checked in the lists.)
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from backend.accounts.tables import Member
from backend.auth.service import issue_token
from backend.core.types import Role
from backend.jobs.tables import Job
from backend.orders.tables import Order
from tests import support
from tests.integration.across.authorization_matrix import ACTORS, FILE, ROWS, SIGNED_IN, Row
from tests.integration.passports.helpers import passport_of
from tests.support import Brand, Person, Work, job_in_state, ok, refused

API = "/api/v1"
OTP_ADDRESS = "198.51.100.61"
STAFF_OF_A = ("admin", "coordinator", "leader")  # sign-in codes are limited per address: keep ours apart

# Error codes by status, unless a row says otherwise.
CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 422: "invalid"}


@dataclass
class Side:
    """One brand's people and the ids the path and body templates refer to."""

    brand: Brand
    people: dict[str, Person]
    ids: dict[str, int | str] = field(default_factory=dict)


@dataclass
class World:
    own: Side
    other: Side
    shared: Side
    revoked: Person
    bad_token: str


async def _joined(client: httpx.AsyncClient, brand: Brand, who: Person, village_id: int, craft: str) -> Person:
    """``who`` (of another brand) asked by ``brand`` and saying yes: her membership of it."""
    body = {"name": "共享", "phone": who.phone, "village_id": village_id, "crafts": [craft]}
    sent = await ok(await client.post(f"{API}/artisans", json=body, headers=brand.coordinator.auth), 202)
    url = f"{API}/me/invitations/{sent['invitation']['id']}/answer"
    me = await ok(await client.post(url, json={"accept": True}, headers=who.auth))
    [member_id] = [m["id"] for m in me["memberships"] if m["brand"]["id"] == brand.id]
    return Person(id=member_id, phone=who.phone, role=Role.ARTISAN, token=who.token, village_id=village_id)


async def _side(client: httpx.AsyncClient, sharing: tuple[Person, Person] | None = None) -> Side:
    """A brand of the matrix's shape; with ``sharing``, its a1 and a2 are these people of other brands."""
    brand = await support.brand(villages=2)
    v1, v2 = brand.villages
    people = {
        "admin": await support.person(brand.id, Role.ADMIN),
        "coordinator": brand.coordinator,
        "leader": await support.person(brand.id, Role.LEADER, village_id=v1),
    }
    if sharing is None:
        people["a1"] = await support.person(brand.id, Role.ARTISAN, village_id=v1, crafts=["embroidery"])
        people["a2"] = await support.person(brand.id, Role.ARTISAN, village_id=v2, crafts=["batik"])
    else:
        people["a1"] = await _joined(client, brand, sharing[0], v1, "embroidery")
        people["a2"] = await _joined(client, brand, sharing[1], v2, "batik")
    a1, a2 = people["a1"], people["a2"]
    order_id = (await support.open_order(client, brand, quantity=1000))["id"]

    async def job(who: Person, state: str) -> Work:
        return await job_in_state(client, brand, who, state, order_id=order_id)

    # An artisan holds one open offer per order at a time: the offered jobs come last.
    paid, disputed, approved = await job(a1, "paid"), await job(a1, "disputed"), await job(a1, "approved")
    submitted, accepted, offered = await job(a1, "submitted"), await job(a1, "accepted"), await job(a1, "offered")
    paid_a2, accepted_a2 = await job(a2, "paid"), await job(a2, "accepted")
    ids = {
        "order": order_id,
        "village": v1,
        "artisan": a1.id,
        "a1": a1.id,
        "a2": a2.id,
        "admin_member": people["admin"].id,
        "leader_member": people["leader"].id,
        "member": people["leader"].id,  # a fresh one where the request succeeds (signed out everywhere)
        "offered": offered.job_id,
        "accepted": accepted.job_id,
        "accepted_a2": accepted_a2.job_id,
        "submission": submitted.submission_id,
        "approved": approved.job_id,
        "payout": paid.payout_id,
        "payout_a2": paid_a2.payout_id,
        "disputed": disputed.payout_id,
        "photo": submitted.photo_id,
        "photo_a2": paid_a2.photo_id,
        "craft": await _craft_id(client, people["admin"]),
        "passport": await passport_of(approved.submission_id),
        **{f"advance_{state}": await _advance(client, brand, a1, state) for state in ADVANCE_STEPS},
    }
    return Side(brand=brand, people=people, ids=ids)  # type: ignore[arg-type]


# An advance of a1 brought to each state, on a job (and order) of its own: one open per job.
ADVANCE_STEPS = {
    "requested": (),
    "approved": ("approve",),
    "paid": ("approve", "pay"),
    "disputed": ("approve", "pay", "dispute"),
}


async def _advance(client: httpx.AsyncClient, brand: Brand, a1: Person, state: str) -> int:
    work = await job_in_state(client, brand, a1, "accepted")
    advance = await ok(await client.post(f"{API}/jobs/{work.job_id}/advance", json={}, headers=a1.auth), 201)
    for step in ADVANCE_STEPS[state]:
        body = {"pay": {"method": "cash"}, "dispute": {"reason": "没收到"}}.get(step)
        who = a1 if step == "dispute" else brand.coordinator
        url = f"{API}/advances/{advance['id']}/{step}"
        await ok(await client.post(url, json=body, headers=who.auth))
    return int(advance["id"])


async def _craft_id(client: httpx.AsyncClient, admin: Person) -> int:
    crafts = await ok(await client.get(f"{API}/crafts", headers=admin.auth))
    return int(crafts["crafts"][0]["id"])


@pytest.fixture(scope="module")
async def world(client: httpx.AsyncClient) -> World:
    own, other = await _side(client), await _side(client)
    shared = await _side(client, sharing=(own.people["a1"], other.people["a1"]))
    revoked = await support.person(own.brand.id, Role.COORDINATOR)
    assert (await client.delete(f"{API}/auth/token", headers=revoked.auth)).status_code == 204
    return World(own=own, other=other, shared=shared, revoked=revoked, bad_token=secrets.token_urlsafe(32))


# ---------------------------------------------------------------------------------------------
# Fresh resources for the cases that succeed (always in brand A).


async def _fresh(client: httpx.AsyncClient, side: Side, key: str) -> int | str:
    brand, a1, a2 = side.brand, side.people["a1"], side.people["a2"]
    if key == "passport":
        return await passport_of((await job_in_state(client, brand, a1, "approved")).submission_id)
    if key == "order":
        return int((await support.open_order(client, brand))["id"])
    if key == "artisan":
        return (await support.artisan(brand)).id
    if key == "member":
        return (await support.person(brand.id, Role.COORDINATOR)).id
    if key.startswith("advance_"):
        return await _advance(client, brand, a1, key.removeprefix("advance_"))
    state, who, pick = FRESH[key]
    work = await job_in_state(client, brand, a2 if who == "a2" else a1, state)
    return pick(work)


FRESH: dict[str, tuple[str, str, Callable[[Work], Any]]] = {
    "offered": ("offered", "a1", lambda w: w.job_id),
    "accepted": ("accepted", "a1", lambda w: w.job_id),
    "accepted_a2": ("accepted", "a2", lambda w: w.job_id),
    "submission": ("submitted", "a1", lambda w: w.submission_id),
    "approved": ("approved", "a1", lambda w: w.job_id),
    "payout": ("paid", "a1", lambda w: w.payout_id),
    "disputed": ("disputed", "a1", lambda w: w.payout_id),
}
FRESH_KEYS = {*FRESH, "order", "artisan", "member", "passport", *(f"advance_{state}" for state in ADVANCE_STEPS)}


@dataclass(frozen=True)
class Case:
    row: Row
    actor: str
    target: str  # "own", "other" or "shared"
    status: int

    @property
    def succeeds(self) -> bool:
        return self.status < 400


def _cases() -> list[Any]:
    cases = []
    for row in ROWS:
        assert tuple(row.own) == ACTORS, row
        assert row.other is None or tuple(row.other) == SIGNED_IN, row
        expanded = [Case(row, actor, "own", status) for actor, status in row.own.items()]
        if row.other is not None:
            expanded += [Case(row, actor, "other", status) for actor, status in row.other.items()]
            expanded += [
                Case(row, actor, "shared", status)
                for actor, status in row.other.items()
                if actor in STAFF_OF_A  # A's a1 works for C: C's work of hers is hers
            ]
        cases += [
            pytest.param(c, id=f"{row.method} {row.path} | {c.actor} | {c.target} -> {c.status}") for c in expanded
        ]
    return cases


async def _ids(client: httpx.AsyncClient, world: World, case: Case) -> dict[str, Any]:
    """The ids of the case's target; a request that should succeed gets resources of its own."""
    side = {"own": world.own, "other": world.other, "shared": world.shared}[case.target]
    ids: dict[str, Any] = dict(side.ids)
    mutates = case.row.method != "GET"
    if case.succeeds and mutates:
        wanted = {key for key in ids if "{" + key + "}" in case.row.path + repr(case.row.body)}
        ids |= {key: await _fresh(client, side, key) for key in wanted & FRESH_KEYS}
    ids["new_phone"] = support.new_phone()
    ids["new_craft"] = f"craft-{secrets.token_hex(4)}"
    return ids


async def _headers(world: World, case: Case) -> dict[str, str]:
    if case.actor == "anonymous":
        return {}
    if case.actor == "bad_token":
        return {"Authorization": f"Bearer {world.bad_token}"}
    if case.actor == "revoked":
        return world.revoked.auth
    person = world.own.people[case.actor]
    if case.row.method == "DELETE" and case.succeeds:  # signing out spends the token: use a spare one
        return {"Authorization": f"Bearer {await issue_token(person.id)}"}
    return person.auth


async def _send(client: httpx.AsyncClient, case: Case, url: str, headers: dict[str, str], body: Any) -> httpx.Response:
    if body is FILE:
        files = {"file": ("work.jpg", support.jpeg_bytes(48, 32, (20, 120, 80)), "image/jpeg")}
        return await client.post(url, files=files, headers=headers)
    if body is None:
        return await client.request(case.row.method, url, headers=headers)
    return await client.request(case.row.method, url, json=body, headers=headers)


@pytest.mark.parametrize("case", _cases())
async def test_authorisation_matrix(client: httpx.AsyncClient, world: World, case: Case) -> None:
    ids = await _ids(client, world, case)
    url = API + case.row.path.format(**ids)
    body = case.row.body if case.row.body is FILE else support.fill(case.row.body, ids)
    headers = await _headers(world, case)
    brands = (world.own.brand.id, world.other.brand.id, world.shared.brand.id)
    before = await support.brand_rows(*brands)

    if case.row.otp_client:
        async with support.client_from(client, OTP_ADDRESS) as other_address:
            response = await _send(other_address, case, url, headers, body)
    else:
        response = await _send(client, case, url, headers, body)

    if case.succeeds:
        assert response.status_code == case.status, response.text
        return
    refused(response, case.status, case.row.codes.get(case.status, CODES[case.status]))
    assert await support.brand_rows(*brands) == before, "a refused request changed data"


# ---------------------------------------------------------------------------------------------
# What the lists show: only what the caller may see, never another brand's rows.


async def _brand_ids(table: Any, brand_id: int) -> set[int]:
    return {row["id"] for row in await table.select(table.id).where(table.brand == brand_id)}


async def _village_ids(village_id: int) -> set[int]:
    return {row["id"] for row in await Member.select(Member.id).where(Member.village == village_id)}


def _memberships_of(world: World, actor: str) -> set[int]:
    """Her memberships: A's a1 is C's a1 too."""
    return {world.own.people[actor].id} | ({world.shared.people["a1"].id} if actor == "a1" else set())


async def _check_jobs_of(world: World, actor: str, items: list[dict[str, Any]]) -> None:
    own = world.own
    allowed = await _village_ids(own.brand.villages[0]) if actor == "leader" else _memberships_of(world, actor)
    assert {job["artisan_id"] for job in items} <= allowed
    must_see = {"leader": own.ids["offered"], "a1": own.ids["offered"], "a2": own.ids["accepted_a2"]}[actor]
    assert must_see in {job["id"] for job in items}
    if actor == "a1":  # and her offer from C, naming C
        [there] = [job for job in items if job["id"] == world.shared.ids["offered"]]
        assert there["brand_id"] == world.shared.brand.id


async def _check_brand_orders(world: World, _actor: str, items: list[dict[str, Any]]) -> None:
    mine = await _brand_ids(Order, world.own.brand.id)
    assert {order["id"] for order in items} <= mine
    assert world.own.ids["order"] in {order["id"] for order in items}


async def _check_brand_artisans(world: World, _actor: str, items: list[dict[str, Any]]) -> None:
    mine = await _brand_ids(Member, world.own.brand.id)
    assert {artisan["id"] for artisan in items} <= mine
    assert {world.own.ids["a1"], world.own.ids["a2"]} <= {artisan["id"] for artisan in items}


async def _check_nothing(_world: World, _actor: str, items: list[dict[str, Any]]) -> None:
    assert items == []


async def _check_brand_villages(world: World, _actor: str, items: list[dict[str, Any]]) -> None:
    assert {village["id"] for village in items} >= set(world.own.brand.villages)
    assert not {village["id"] for village in items} & set(world.other.brand.villages)


async def _check_brand_submissions(world: World, _actor: str, items: list[dict[str, Any]]) -> None:
    mine = await _brand_ids(Job, world.own.brand.id)
    assert {submission["job_id"] for submission in items} <= mine
    assert world.own.ids["submission"] in {submission["id"] for submission in items}


async def _check_payouts_of(world: World, actor: str, items: list[dict[str, Any]]) -> None:
    allowed = _memberships_of(world, actor) if actor in ("a1", "a2") else await _brand_ids(Member, world.own.brand.id)
    assert {payout["artisan_id"] for payout in items} <= allowed
    must_see = world.own.ids["payout_a2"] if actor == "a2" else world.own.ids["payout"]
    assert must_see in {payout["id"] for payout in items}
    if actor == "a1":
        assert world.shared.ids["payout"] in {payout["id"] for payout in items}


async def _check_order_jobs(world: World, _actor: str, items: list[dict[str, Any]]) -> None:
    assert {job["order_id"] for job in items} == {world.own.ids["order"]}
    assert world.own.ids["offered"] in {job["id"] for job in items}


VISIBILITY = [
    pytest.param(actor, path, key, check, id=f"{actor} GET {path}")
    for actor, path, key, check in [
        ("a1", "/jobs", "jobs", _check_jobs_of),
        ("a2", "/jobs", "jobs", _check_jobs_of),
        ("leader", "/jobs", "jobs", _check_jobs_of),
        ("coordinator", "/orders", "orders", _check_brand_orders),
        ("admin", "/orders?status=open", "orders", _check_brand_orders),
        ("coordinator", "/orders/{order}/jobs", "jobs", _check_order_jobs),
        ("coordinator", "/artisans", "artisans", _check_brand_artisans),
        ("coordinator", "/artisans?village_id={other_village}", "artisans", _check_nothing),
        ("admin", "/villages", "villages", _check_brand_villages),
        ("coordinator", "/submissions", "submissions", _check_brand_submissions),
        ("coordinator", "/payouts", "payouts", _check_payouts_of),
        ("a1", "/payouts", "payouts", _check_payouts_of),
        ("a2", "/payouts", "payouts", _check_payouts_of),
    ]
]


@pytest.mark.parametrize(("actor", "path", "key", "check"), VISIBILITY)
async def test_lists_show_only_what_the_caller_may_see(
    client: httpx.AsyncClient, world: World, actor: str, path: str, key: str, check: Any
) -> None:
    url = API + path.format(order=world.own.ids["order"], other_village=world.other.brand.villages[0])
    items = (await ok(await client.get(url, headers=world.own.people[actor].auth)))[key]
    await check(world, actor, items)


async def test_requests_without_a_valid_token_are_refused_even_with_an_idempotency_key(
    client: httpx.AsyncClient, world: World
) -> None:
    """An Idempotency-Key must not turn a request without a valid token into anything but 401."""
    body = support.order_body(title="无权下单")
    for headers in ({}, {"Authorization": f"Bearer {world.bad_token}"}, world.revoked.auth):
        key = {"Idempotency-Key": secrets.token_hex(8)}
        before = await support.brand_rows(world.own.brand.id)
        for _attempt in range(2):
            response = await client.post(f"{API}/orders", json=body, headers=headers | key)
            refused(response, 401, "unauthorized")
        assert await support.brand_rows(world.own.brand.id) == before
