"""The dispatch suggestion: who is offered an order's work first, and how many pieces each."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from backend.core.china_time import china_today
from backend.core.types import Role
from backend.jobs.suggestion import NEWCOMER_SHARE
from backend.orders.tables import Order
from tests import support
from tests.support import Brand, Person, job_in_state, ok, refused

API = "/api/v1"


async def _suggestion(client: httpx.AsyncClient, b: Brand, order_id: int, **params: Any) -> dict[str, Any]:
    url = f"{API}/orders/{order_id}/suggestion"
    return await ok(await client.get(url, params=params, headers=b.coordinator.auth))  # type: ignore[no-any-return]


async def _embroiderer(b: Brand, village: int = 0) -> Person:
    return await support.person(b.id, Role.ARTISAN, village_id=b.villages[village], crafts=["embroidery"])


async def _past_due(order_id: int) -> None:
    """Time travel: the order fell due yesterday (the API refuses due dates in the past)."""
    await Order.update({Order.due_date: china_today() - dt.timedelta(days=1)}).where(Order.id == order_id)


async def _finished(client: httpx.AsyncClient, b: Brand, who: Person, jobs: int, *, late: bool = False) -> None:
    """``jobs`` jobs of 5 pieces approved today, on time or (their order due yesterday) late."""
    for _ in range(jobs):
        work = await job_in_state(client, b, who, "approved", quantity=5)
        if late:
            await _past_due(work.order_id)


def _ids(answer: dict[str, Any]) -> list[int]:
    return [offer["artisan_id"] for offer in answer["offers"]]


async def test_a_reliable_artisan_comes_before_an_unreliable_one(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    unreliable, reliable = await _embroiderer(b), await _embroiderer(b)
    await _finished(client, b, unreliable, 2, late=True)
    await _finished(client, b, reliable, 2)
    order = await support.open_order(client, b, quantity=100)

    answer = await _suggestion(client, b, order["id"])

    assert _ids(answer) == [reliable.id, unreliable.id]
    first, second = answer["offers"]
    assert (first["on_time_rate"], first["finished_jobs"]) == (1.0, 2)
    assert (second["on_time_rate"], second["finished_jobs"]) == (0.0, 2)
    assert first["score"] > second["score"]
    assert answer["candidates"] == 2


async def test_overdue_work_counts_against_the_on_time_rate(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    slow = await _embroiderer(b)
    await _finished(client, b, slow, 1)
    await _past_due((await job_in_state(client, b, slow, "accepted", quantity=4)).order_id)
    order = await support.open_order(client, b, quantity=100)

    [offer] = (await _suggestion(client, b, order["id"]))["offers"]

    assert (offer["on_time_rate"], offer["finished_jobs"], offer["open_load"]) == (0.5, 1, 4)


async def test_open_load_lowers_priority(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    busy, free = await _embroiderer(b), await _embroiderer(b)  # busy has the lower id
    await job_in_state(client, b, busy, "accepted", quantity=10)
    order = await support.open_order(client, b, quantity=100)

    answer = await _suggestion(client, b, order["id"])

    assert _ids(answer) == [free.id, busy.id]
    assert [offer["open_load"] for offer in answer["offers"]] == [0, 10]
    assert answer["offers"][0]["quantity"] > answer["offers"][1]["quantity"]


async def test_new_artisans_get_a_share_even_when_others_could_take_everything(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    veteran, late = await _embroiderer(b), await _embroiderer(b)
    await _finished(client, b, veteran, 2)
    await _finished(client, b, late, 2, late=True)
    newcomer = await _embroiderer(b)
    order = await support.open_order(client, b, quantity=100)

    answer = await _suggestion(client, b, order["id"], quantity=NEWCOMER_SHARE)

    offers = {offer["artisan_id"]: offer for offer in answer["offers"]}
    assert _ids(answer)[0] == veteran.id
    assert offers[newcomer.id]["quantity"] >= 1
    assert offers[newcomer.id]["on_time_rate"] is None
    assert late.id not in offers  # below the newcomer, and the pieces ran out before
    assert sum(offer["quantity"] for offer in answer["offers"]) == NEWCOMER_SHARE


async def test_the_split_adds_up_to_what_the_order_still_needs(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    accepted_by, offered_to = await _embroiderer(b), await _embroiderer(b)
    others = [await _embroiderer(b) for _ in range(6)]
    order = await support.open_order(client, b, quantity=60)
    await job_in_state(client, b, accepted_by, "accepted", order_id=order["id"], quantity=7)
    await job_in_state(client, b, offered_to, "offered", order_id=order["id"], quantity=3)

    answer = await _suggestion(client, b, order["id"])
    again = await _suggestion(client, b, order["id"])

    assert answer["remaining"] == answer["wanted"] == 60 - 7 - 3
    assert sum(offer["quantity"] for offer in answer["offers"]) == 50
    assert all(offer["quantity"] >= 1 for offer in answer["offers"])
    assert set(_ids(answer)) <= {p.id for p in others}
    assert answer == again  # the same data, the same suggestion


async def test_an_explicit_quantity_is_split_exactly_across_enough_candidates(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    people = [await _embroiderer(b) for _ in range(5)]
    order = await support.open_order(client, b, quantity=20)

    answer = await _suggestion(client, b, order["id"], quantity=5)
    plenty = await _suggestion(client, b, order["id"], quantity=1000)

    assert sum(offer["quantity"] for offer in answer["offers"]) == 5
    assert answer["remaining"] == 20
    # Caps: nobody is offered more than the order, and with too few hands each gets their cap.
    assert all(1 <= offer["quantity"] <= 20 for offer in plenty["offers"])
    assert len(plenty["offers"]) == len(people)
    assert sum(offer["quantity"] for offer in plenty["offers"]) < 1000


async def test_filters_by_village_craft_and_artisan(client: httpx.AsyncClient) -> None:
    b = await support.brand(villages=2)
    here, there = await _embroiderer(b, 0), await _embroiderer(b, 1)
    dyer = await support.person(b.id, Role.ARTISAN, village_id=b.villages[0], crafts=["batik"])
    both = await support.person(b.id, Role.ARTISAN, village_id=b.villages[1], crafts=["batik", "embroidery"])
    order = await support.open_order(client, b, quantity=100)
    oid = order["id"]

    by_default = await _suggestion(client, b, oid)  # the order's craft, every village
    in_second = await _suggestion(client, b, oid, village_id=b.villages[1])
    batik = await _suggestion(client, b, oid, craft="batik")
    either = await _suggestion(client, b, oid, craft=["batik", "embroidery"], village_id=b.villages)
    chosen = await _suggestion(client, b, oid, artisan_id=[here.id, dyer.id])

    assert sorted(_ids(by_default)) == sorted([here.id, there.id, both.id])
    assert sorted(_ids(in_second)) == sorted([there.id, both.id])
    assert sorted(_ids(batik)) == sorted([dyer.id, both.id])
    assert either["candidates"] == 4
    assert _ids(chosen) == [here.id]  # the dyer is no embroiderer
    offer = next(offer for offer in in_second["offers"] if offer["artisan_id"] == both.id)
    assert offer["village_id"] == b.villages[1]
    assert offer["village"] == "村1"
    assert offer["crafts"] == ["batik", "embroidery"]
    assert offer["sms_only"] is False


async def test_leaves_out_artisans_with_a_live_job_on_the_order_and_deactivated_ones(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    offered, accepted, declined, withdrawn, gone, free = [await _embroiderer(b) for _ in range(6)]
    order = await support.open_order(client, b, quantity=100)
    oid = order["id"]
    for who, state in ((offered, "offered"), (accepted, "accepted"), (declined, "declined"), (withdrawn, "withdrawn")):
        await job_in_state(client, b, who, state, order_id=oid, quantity=2)
    await ok(await client.patch(f"{API}/artisans/{gone.id}", json={"active": False}, headers=b.coordinator.auth))

    answer = await _suggestion(client, b, oid)

    assert sorted(_ids(answer)) == sorted([declined.id, withdrawn.id, free.id])
    assert answer["candidates"] == 3


async def test_the_suggested_offers_can_be_dispatched_as_they_are(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    for _ in range(3):
        await _embroiderer(b)
    order = await support.open_order(client, b, quantity=12)
    answer = await _suggestion(client, b, order["id"])
    body = {"offers": [{"artisan_id": o["artisan_id"], "quantity": o["quantity"]} for o in answer["offers"]]}
    sent = await client.post(f"{API}/orders/{order['id']}/dispatch", json=body, headers=b.coordinator.auth)

    jobs = await ok(sent, 201)

    assert sum(job["quantity_offered"] for job in jobs["jobs"]) == 12
    after = await _suggestion(client, b, order["id"])
    assert (after["remaining"], after["offers"]) == (0, [])
    assert after["candidates"] == 3 - len(jobs["jobs"])  # those offered work are no longer candidates


async def test_only_the_brands_staff_may_ask(client: httpx.AsyncClient) -> None:
    b, other = await support.brand(), await support.brand()
    artisan = await _embroiderer(b)
    leader = await support.person(b.id, Role.LEADER, village_id=b.villages[0])
    admin = await support.person(b.id, Role.ADMIN)
    order = await support.open_order(client, b)
    url = f"{API}/orders/{order['id']}/suggestion"

    assert (await client.get(url, headers=admin.auth)).status_code == 200
    refused(await client.get(url, headers=other.coordinator.auth), 404, "not_found")
    refused(await client.get(url, headers=artisan.auth), 403, "forbidden")
    refused(await client.get(url, headers=leader.auth), 403, "forbidden")
    refused(await client.get(url), 401, "unauthorized")


async def test_a_cancelled_order_gets_no_suggestion(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    order = await support.open_order(client, b)
    await ok(await client.post(f"{API}/orders/{order['id']}/cancel", headers=b.coordinator.auth))

    refused(await client.get(f"{API}/orders/{order['id']}/suggestion", headers=b.coordinator.auth), 409, "order_closed")


BAD_PARAMS = [
    "village_id=abc",
    "village_id=0",
    "village_id=-3",
    "village_id=99999999999",
    "village_id=",
    "artisan_id=1.5",
    "artisan_id=2147483648",
    "craft=Embroidery",
    "craft=em%25",
    "craft=",
    "quantity=0",
    "quantity=-1",
    "quantity=x",
    "quantity=1000001",
    "&".join(f"village_id={n}" for n in range(1, 102)),
]


@pytest.mark.parametrize("query", BAD_PARAMS, ids=lambda q: q[:30])
async def test_bad_parameters_are_refused_with_400(client: httpx.AsyncClient, query: str) -> None:
    b = await support.brand()
    order = await support.open_order(client, b)

    response = await client.get(f"{API}/orders/{order['id']}/suggestion?{query}", headers=b.coordinator.auth)

    refused(response, 400, "invalid_request")


async def test_an_impossible_order_id_is_not_found(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    refused(await client.get(f"{API}/orders/99999999999/suggestion", headers=b.coordinator.auth), 404, "not_found")


async def test_those_given_no_piece_are_listed_next_so_the_coordinator_can_still_choose_them(
    client: httpx.AsyncClient,
) -> None:
    b = await support.brand()
    people = [await _embroiderer(b) for _ in range(4)]
    order = await support.open_order(client, b, quantity=5)

    answer = await _suggestion(client, b, order["id"])

    chosen = [offer["artisan_id"] for offer in answer["offers"]]
    left = [offer["artisan_id"] for offer in answer["others"]]
    assert sorted(chosen + left) == sorted(p.id for p in people)  # every candidate, once
    assert {offer["quantity"] for offer in answer["others"]} == {0}
    assert answer["candidates"] == 4
