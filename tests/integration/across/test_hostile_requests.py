"""Hostile requests: ids that do not exist or do not fit, bad query strings, phones, keys and
uploads, and every arrow the state machine does not have: a 4xx with a code, never a 500."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from backend.jobs.tables import Job
from backend.orders.tables import Order
from tests import support
from tests.integration.across.hostile import API, OTP_ADDRESS, MiB, Place, refuses
from tests.support import job_in_state, ok, refused

# ---------------------------------------------------------------------------------------------
# Ids in the path: unknown ones are 404, and ids that do not fit a database integer too.

ID_ENDPOINTS = [
    ("GET", "/orders/{id}", "coordinator", None),
    ("GET", "/orders/{id}/jobs", "coordinator", None),
    ("POST", "/orders/{id}/dispatch", "coordinator", {"offers": [{"artisan_id": "{a2}", "quantity": 1}]}),
    ("POST", "/orders/{id}/cancel", "coordinator", None),
    ("POST", "/jobs/{id}/withdraw", "coordinator", None),
    ("POST", "/jobs/{id}/accept", "a1", {"quantity": 1}),
    ("POST", "/jobs/{id}/decline", "a1", {}),
    ("POST", "/jobs/{id}/submissions", "a1", {"quantity": 1, "photo_ids": ["{photo}"]}),
    ("POST", "/submissions/{id}/review", "coordinator", {"decision": "approve"}),
    ("POST", "/jobs/{id}/payout", "coordinator", {"method": "cash"}),
    ("POST", "/payouts/{id}/confirm", "a1", None),
    ("POST", "/payouts/{id}/dispute", "a1", {"reason": "没收到"}),
    ("POST", "/payouts/{id}/resolve", "coordinator", {"resolution": "paid"}),
    ("PATCH", "/artisans/{id}", "coordinator", {"name": "改名"}),
    ("GET", "/photos/{id}/list", "coordinator", None),
]
IDS = [
    ("unknown", str(2**31 - 1), None),
    ("zero", "0", None),
    ("negative", "-1", None),
    ("not a number", "abc", None),
    ("2**31", str(2**31), None),
    ("2**63", str(2**63), None),
    ("20 digits", "9" * 20, None),
]


@pytest.mark.parametrize(
    ("method", "path", "actor", "body", "raw_id"),
    [
        pytest.param(method, path, actor, body, value, id=f"{method} {path} id={label}", marks=mark or ())
        for method, path, actor, body in ID_ENDPOINTS
        for label, value, mark in IDS
    ],
)
async def test_ids_that_do_not_exist_answer_404(
    client: httpx.AsyncClient, place: Place, method: str, path: str, actor: str, body: Any, raw_id: str
) -> None:
    request = {"method": method, "url": API + path.replace("{id}", raw_id), "headers": place.auth(actor)}
    if body is not None:
        request["json"] = support.fill(body, place.ids)
    await refuses(client, place, request, 404, "not_found")


# ---------------------------------------------------------------------------------------------
# Query strings.

QUERIES = [
    ("a1", "/jobs?since=-1", None),
    ("a1", "/jobs?since=abc", None),
    ("a1", "/jobs?since=1.5", None),
    ("a1", "/jobs?since=", None),
    ("a1", "/jobs?since=" + "9" * 20, None),
    ("coordinator", "/orders?cursor=x", None),
    ("coordinator", "/orders?cursor=-5", None),
    ("coordinator", "/orders?cursor=0", None),
    ("coordinator", "/orders?cursor=99999999999", None),
    ("coordinator", "/orders?status=weird", None),
    ("coordinator", "/artisans?village_id=abc", None),
    ("coordinator", "/artisans?village_id=-1", None),
    ("coordinator", "/artisans?village_id=" + "9" * 20, None),
    ("coordinator", "/artisans?craft=Not%20a%20code", None),
    ("coordinator", "/submissions?status=paid", None),
    ("a1", "/payouts?status=bitcoin", None),
    ("coordinator", "/photos/{photo}/huge", None),
]


@pytest.mark.parametrize(
    ("actor", "path"),
    [
        pytest.param(actor, path, id=path, marks=pytest.mark.xfail(strict=True, reason=bug) if bug else ())
        for actor, path, bug in QUERIES
    ],
)
async def test_bad_query_parameters_are_refused(client: httpx.AsyncClient, place: Place, actor: str, path: str) -> None:
    request = {"method": "GET", "url": API + path.format(**place.ids), "headers": place.auth(actor)}
    await refuses(client, place, request, 400, "invalid_request")


# ---------------------------------------------------------------------------------------------
# Phones: what people type is normalised to E.164; what is not a phone is refused.


def _full_width(text: str) -> str:
    return text.translate({ord(c): ord(c) + 0xFEE0 for c in "+0123456789"})


PHONE_FORMS = {
    "local": lambda e164: e164.removeprefix("+86"),
    "full-width local": lambda e164: _full_width(e164.removeprefix("+86")),
    "full-width international": lambda e164: _full_width(e164[:3] + " " + e164[3:]),
    "dashes": lambda e164: f"{e164[3:6]}-{e164[6:10]}-{e164[10:]}",
    "0086 prefix": lambda e164: "0086" + e164[3:],
}


@pytest.mark.parametrize("form", list(PHONE_FORMS))
async def test_typed_phone_forms_are_normalised(client: httpx.AsyncClient, place: Place, form: str) -> None:
    """Full-width digits (a Chinese keyboard's default) normalise like ASCII ones."""
    e164 = support.new_phone()
    body = {"name": "全角", "phone": PHONE_FORMS[form](e164), "village_id": place.ids["village"]}
    created = await ok(await client.post(f"{API}/artisans", json=body, headers=place.auth("coordinator")), 201)
    assert created["phone"] == e164
    async with support.client_from(client, OTP_ADDRESS) as elsewhere:
        await ok(await elsewhere.post(f"{API}/auth/otp", json={"phone": PHONE_FORMS[form](e164)}), 202)


# ---------------------------------------------------------------------------------------------
# Idempotency-Key.


async def test_an_idempotency_key_of_300_characters_is_refused(client: httpx.AsyncClient, place: Place) -> None:
    headers = place.auth("coordinator") | {"Idempotency-Key": "k" * 300}
    request = {"method": "POST", "url": f"{API}/orders", "json": support.order_body(), "headers": headers}
    body = await refuses(client, place, request, 422, "invalid")
    assert "Idempotency-Key" in body["fields"]


async def test_an_idempotency_key_reused_with_another_body_is_refused(client: httpx.AsyncClient, place: Place) -> None:
    headers = place.auth("coordinator") | {"Idempotency-Key": f"order-{support.new_phone()}"}
    first = await client.post(f"{API}/orders", json=support.order_body(title="一号"), headers=headers)
    assert first.status_code == 201
    replay = await client.post(f"{API}/orders", json=support.order_body(title="一号"), headers=headers)
    assert (replay.status_code, replay.json()) == (201, first.json())

    other_body = {
        "method": "POST",
        "url": f"{API}/orders",
        "json": support.order_body(title="二号"),
        "headers": headers,
    }
    await refuses(client, place, other_body, 409, "idempotency_key_reused")
    other_path = {"method": "POST", "url": f"{API}/villages", "json": {"name": "一号"}, "headers": headers}
    await refuses(client, place, other_path, 409, "idempotency_key_reused")
    assert await Order.count().where((Order.brand == place.brand.id) & (Order.title == "一号")) == 1


async def test_an_oversized_body_with_an_idempotency_key_is_refused_before_it_is_read_whole(
    client: httpx.AsyncClient, place: Place
) -> None:
    headers = place.auth("a1") | {"Idempotency-Key": "big-one", "content-type": "application/json"}
    request = {"method": "POST", "url": f"{API}/orders", "content": b" " * (20 * MiB), "headers": headers}
    await refuses(client, place, request, 413, "too_large")


class CountedBody:
    """A body sent in 1 MiB chunks that counts how many the server asked for."""

    def __init__(self, chunks: int) -> None:
        self.chunks, self.read = chunks, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            self.read += 1
            yield b" " * MiB


STRANGERS = [
    pytest.param({}, id="no token"),
    pytest.param({"Authorization": "Bearer not-a-token"}, id="a bad token"),
    pytest.param({"Idempotency-Key": "k1"}, id="no token, a key"),
    pytest.param({"Authorization": "Bearer not-a-token", "Idempotency-Key": "k2"}, id="a bad token, a key"),
]


@pytest.mark.parametrize("path", ["/orders", "/photos", "/artisans/import"])
@pytest.mark.parametrize("headers", STRANGERS)
async def test_a_strangers_body_is_not_read_before_the_401(
    client: httpx.AsyncClient, path: str, headers: dict[str, str]
) -> None:
    sent = CountedBody(16)

    response = await client.post(f"{API}{path}", content=sent, headers=headers | {"content-type": "application/json"})

    refused(response, 401, "unauthorized")
    assert sent.read <= 1  # at most what was on the wire with the headers, never the 16 MiB


async def test_a_dry_run_key_never_answers_the_real_import(client: httpx.AsyncClient, place: Place) -> None:
    village = place.ids["village"]
    sheet = f"姓名,手机,村\n试一试,{support.new_phone()},{village}\n".encode()
    form = client.build_request("POST", f"{API}/artisans/import", files={"file": ("artisans.csv", sheet, "text/csv")})
    body = form.read()  # the very same bytes twice (a new request would draw a new multipart boundary)
    headers = place.auth("coordinator") | {
        "Idempotency-Key": f"import-{support.new_phone()}",
        "content-type": form.headers["content-type"],
    }

    tried = await client.post(f"{API}/artisans/import?dry_run=true", content=body, headers=headers)
    real = await client.post(f"{API}/artisans/import", content=body, headers=headers)

    assert (tried.status_code, tried.json()["imported"]) == (200, 0)
    refused(real, 409, "idempotency_key_reused")


# ---------------------------------------------------------------------------------------------
# Uploads.

JPEG = support.jpeg_bytes(64, 48)
UPLOADS = [
    ("not an image", {"files": {"file": ("a.jpg", b"hello, world", "image/jpeg")}}, 415),
    ("an empty file", {"files": {"file": ("a.jpg", b"", "image/jpeg")}}, 415),
    ("a GIF", {"files": {"file": ("a.gif", b"GIF89a" + bytes(64), "image/gif")}}, 415),
    ("a truncated JPEG", {"files": {"file": ("a.jpg", JPEG[: len(JPEG) // 2], "image/jpeg")}}, 422),
    ("15 MiB and one byte", {"files": {"file": ("a.jpg", JPEG + bytes(15 * MiB + 1 - len(JPEG)), "image/jpeg")}}, 413),
    ("16 MiB", {"files": {"file": ("a.jpg", JPEG + bytes(16 * MiB), "image/jpeg")}}, 413),
    ("no file field", {"files": {"photo": ("a.jpg", JPEG, "image/jpeg")}}, 400),
    ("a text field named file", {"data": {"file": "photo.jpg"}}, 415),
    ("JSON", {"json": {"file": "photo.jpg"}}, 400),
    ("the bare image", {"content": JPEG, "headers": {"content-type": "image/jpeg"}}, 415),
    ("nothing", {}, 400),
]


@pytest.mark.parametrize(("upload", "status"), [pytest.param(u, s, id=label) for label, u, s in UPLOADS])
async def test_bad_uploads_are_refused(
    client: httpx.AsyncClient, place: Place, upload: dict[str, Any], status: int
) -> None:
    request = {"method": "POST", "url": f"{API}/photos", **upload}
    request["headers"] = place.auth("a1") | upload.get("headers", {})
    await refuses(client, place, request, status)


# ---------------------------------------------------------------------------------------------
# The state machine: every action from every state; only DESIGN.md's arrows succeed.

REVIEW, RESOLVE = "/submissions/{submission_id}/review", "/payouts/{payout_id}/resolve"
# action: (actor, path, body, success status, the state it leads to)
ACTIONS: dict[str, tuple[str, str, dict[str, Any] | None, int, str]] = {
    "accept": ("a1", "/jobs/{job_id}/accept", {"quantity": 1}, 200, "accepted"),
    "decline": ("a1", "/jobs/{job_id}/decline", {}, 200, "declined"),
    "withdraw": ("coordinator", "/jobs/{job_id}/withdraw", None, 200, "withdrawn"),
    "submit": ("a1", "/jobs/{job_id}/submissions", {"quantity": 1, "photo_ids": ["{photo}"]}, 201, "submitted"),
    "approve": ("coordinator", REVIEW, {"decision": "approve"}, 200, "approved"),
    "rework": ("coordinator", REVIEW, {"decision": "rework", "reason": "针脚歪了"}, 200, "rework"),
    "payout": ("coordinator", "/jobs/{job_id}/payout", {"method": "bank", "reference": "B-1"}, 201, "paid"),
    "confirm": ("a1", "/payouts/{payout_id}/confirm", None, 200, "confirmed"),
    "dispute": ("a1", "/payouts/{payout_id}/dispute", {"reason": "没收到"}, 200, "disputed"),
    "resolve as paid": ("coordinator", RESOLVE, {"resolution": "paid", "note": "补转了"}, 200, "paid"),
    "resolve as confirmed": ("coordinator", RESOLVE, {"resolution": "confirmed", "note": "查到了"}, 200, "confirmed"),
}
ARROWS = {  # the states each action may start from, as drawn in DESIGN.md
    "accept": {"offered"},
    "decline": {"offered"},
    "withdraw": {"offered"},
    "submit": {"accepted", "rework"},
    "approve": {"submitted"},
    "rework": {"submitted"},
    "payout": {"approved"},
    "confirm": {"paid"},
    "dispute": {"paid"},
    "resolve as paid": {"disputed"},
    "resolve as confirmed": {"disputed"},
}
PAID = {"paid", "confirmed", "disputed"}


def _applicable(action: str, state: str) -> bool:
    """Review needs a submission and payout actions a payout: only states that have one."""
    route = support.ROUTE_TO[state]
    path = ACTIONS[action][1]
    return ("submission_id" not in path or "submit" in route) and ("payout_id" not in path or "pay" in route)


STATE_CASES = [
    pytest.param(action, state, id=f"{action} from {state}")
    for action in ACTIONS
    for state in support.ROUTE_TO
    if _applicable(action, state)
]


@pytest.mark.parametrize(("action", "state"), STATE_CASES)
async def test_job_actions_follow_the_state_machine(
    client: httpx.AsyncClient, place: Place, action: str, state: str
) -> None:
    allowed = state in ARROWS[action]
    if allowed:
        work = await job_in_state(client, place.brand, place.a1, state)
    else:  # a refusal changes nothing (checked below), so one job per state serves them all
        if state not in place.parked:
            place.parked[state] = await job_in_state(client, place.brand, place.a1, state)
        work = place.parked[state]
    actor, path, body, success, target = ACTIONS[action]
    ids = place.ids | {"job_id": work.job_id, "submission_id": work.submission_id, "payout_id": work.payout_id}
    request = {"method": "POST", "url": API + path.format(**ids), "headers": place.auth(actor)}
    if body is not None:
        request["json"] = support.fill(body, ids)

    if allowed:
        await ok(await client.request(**request), success)
        assert await Job.select(Job.status).where(Job.id == work.job_id).first() == {"status": target}
    else:
        code = "payout_exists" if action == "payout" and state in PAID else "invalid_transition"
        await refuses(client, place, request, 409, code)


# ---------------------------------------------------------------------------------------------
# Quantities, expiry, cancellation and due dates.


async def _progress(client: httpx.AsyncClient, place: Place, order_id: int) -> dict[str, int]:
    order = await ok(await client.get(f"{API}/orders/{order_id}", headers=place.auth("coordinator")))
    return order["progress"]  # type: ignore[no-any-return]


def _post(place: Place, actor: str, path: str, body: Any = None) -> dict[str, Any]:
    request: dict[str, Any] = {"method": "POST", "url": API + path, "headers": place.auth(actor)}
    return request | ({"json": body} if body is not None else {})


async def test_accept_refuses_more_than_offered(client: httpx.AsyncClient, place: Place) -> None:
    work = await job_in_state(client, place.brand, place.a1, "offered", quantity=5)
    body = await refuses(client, place, _post(place, "a1", f"/jobs/{work.job_id}/accept", {"quantity": 6}), 422)
    assert body["fields"] == {"quantity": "above_offer"}


async def test_accept_refuses_more_than_the_order_has_left(client: httpx.AsyncClient, place: Place) -> None:
    order = await support.open_order(client, place.brand, quantity=10)
    first, second = await support.offer(client, place.brand, order["id"], (place.a1, 8), (place.a2, 8))
    await ok(await client.post(f"{API}/jobs/{first['id']}/accept", json={"quantity": 8}, headers=place.a1.auth))

    for quantity in (8, 3):
        accept = _post(place, "a2", f"/jobs/{second['id']}/accept", {"quantity": quantity})
        await refuses(client, place, accept, 409, "order_full")
    assert (await _progress(client, place, order["id"]))["accepted"] == 8
    await ok(await client.post(f"{API}/jobs/{second['id']}/accept", json={"quantity": 2}, headers=place.a2.auth))
    assert (await _progress(client, place, order["id"]))["accepted"] == 10


async def test_accept_refuses_an_offer_past_its_expiry(client: httpx.AsyncClient, place: Place) -> None:
    """The worker has not expired it yet: the accept itself must notice."""
    work = await job_in_state(client, place.brand, place.a1, "offered")
    await Job.update({Job.expires_at: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)}).where(Job.id == work.job_id)
    await refuses(
        client, place, _post(place, "a1", f"/jobs/{work.job_id}/accept", {"quantity": 1}), 409, "offer_expired"
    )
    assert (await _progress(client, place, work.order_id))["accepted"] == 0


async def test_accept_refuses_an_offer_of_a_cancelled_order(client: httpx.AsyncClient, place: Place) -> None:
    """Cancelling withdraws the open offers, so the job answers that it was withdrawn."""
    work = await job_in_state(client, place.brand, place.a1, "offered")
    await ok(await client.post(f"{API}/orders/{work.order_id}/cancel", headers=place.auth("coordinator")))
    accept = _post(place, "a1", f"/jobs/{work.job_id}/accept", {"quantity": 1})
    await refuses(client, place, accept, 409, "invalid_transition")
    assert (await _progress(client, place, work.order_id))["accepted"] == 0


async def test_a_cancelled_order_refuses_dispatch_and_a_second_cancel(client: httpx.AsyncClient, place: Place) -> None:
    order = await support.open_order(client, place.brand)
    await ok(await client.post(f"{API}/orders/{order['id']}/cancel", headers=place.auth("coordinator")))
    offers = {"offers": [{"artisan_id": place.a1.id, "quantity": 1}]}
    await refuses(
        client, place, _post(place, "coordinator", f"/orders/{order['id']}/dispatch", offers), 409, "order_closed"
    )
    await refuses(client, place, _post(place, "coordinator", f"/orders/{order['id']}/cancel"), 409, "order_closed")


async def test_dispatch_refuses_an_order_past_its_due_date(client: httpx.AsyncClient, place: Place) -> None:
    order = await support.open_order(client, place.brand)
    await Order.update({Order.due_date: dt.date(2020, 1, 1)}).where(Order.id == order["id"])
    offers = {"offers": [{"artisan_id": place.a1.id, "quantity": 1}]}
    await refuses(
        client, place, _post(place, "coordinator", f"/orders/{order['id']}/dispatch", offers), 409, "order_closed"
    )


async def test_submit_refuses_more_than_accepted(client: httpx.AsyncClient, place: Place) -> None:
    work = await job_in_state(client, place.brand, place.a1, "accepted", quantity=5)
    submit = _post(place, "a1", f"/jobs/{work.job_id}/submissions", {"quantity": 6, "photo_ids": [place.ids["photo"]]})
    body = await refuses(client, place, submit, 422)
    assert body["fields"] == {"quantity": "above_accepted"}


# ---------------------------------------------------------------------------------------------
# Refusals that once answered 500 or let bad data in.


async def test_dispute_refuses_a_blank_reason(client: httpx.AsyncClient, place: Place) -> None:
    work = await job_in_state(client, place.brand, place.a1, "paid")
    await refuses(client, place, _post(place, "a1", f"/payouts/{work.payout_id}/dispute", {"reason": "   "}), 422)


BLANKS = [
    ("POST", "/villages", {"name": "   "}),
    ("POST", "/artisans", {"name": "   ", "phone": "{new_phone}", "village_id": "{village}"}),
    ("PATCH", "/artisans/{fresh_artisan}", {"name": "   "}),
    ("POST", "/orders", support.order_body(title="   ")),
]


@pytest.mark.parametrize(("method", "path", "body"), [pytest.param(*b, id=f"{b[0]} {b[1]}") for b in BLANKS])
async def test_blank_names_and_titles_are_refused(
    client: httpx.AsyncClient, place: Place, method: str, path: str, body: dict[str, Any]
) -> None:
    ids = place.ids | {"new_phone": support.new_phone(), "fresh_artisan": (await support.artisan(place.brand)).id}
    request = {"method": method, "url": API + path.format(**ids), "json": support.fill(body, ids)}
    await refuses(client, place, request | {"headers": place.auth("coordinator")}, 422, "invalid")


NUL_TEXTS = [
    pytest.param("/villages", {"name": "新\x00寨"}, id="village name"),
    pytest.param(
        "/artisans", {"name": "阿\x00妹", "phone": "{new_phone}", "village_id": "{village}"}, id="artisan name"
    ),
    pytest.param("/orders", support.order_body(title="围\x00巾"), id="order title"),
    pytest.param("/orders", support.order_body(description="\x00"), id="order description"),
]


@pytest.mark.parametrize(("path", "body"), NUL_TEXTS)
async def test_text_with_nul_characters_is_refused(
    client: httpx.AsyncClient, place: Place, path: str, body: dict[str, Any]
) -> None:
    ids = place.ids | {"new_phone": support.new_phone()}
    request = {
        "method": "POST",
        "url": API + path,
        "json": support.fill(body, ids),
        "headers": place.auth("coordinator"),
    }
    response = await client.request(**request)
    assert response.status_code in (400, 422), response.text
    refused(response, response.status_code)


async def test_deeply_nested_json_is_refused(client: httpx.AsyncClient, place: Place) -> None:
    headers = place.auth("coordinator") | {"content-type": "application/json"}
    request = {"method": "POST", "url": f"{API}/orders", "content": b"[" * 100_000, "headers": headers}
    await refuses(client, place, request, 400, "invalid_request")


async def test_a_body_that_is_not_utf8_is_refused(client: httpx.AsyncClient, place: Place) -> None:
    headers = place.auth("coordinator") | {"content-type": "application/json"}
    request = {"method": "POST", "url": f"{API}/orders", "content": b'{"title": "\xff\xfe"}', "headers": headers}
    await refuses(client, place, request, 400, "invalid_request")


async def test_json_sent_as_text_plain_is_refused(client: httpx.AsyncClient, place: Place) -> None:
    headers = place.auth("coordinator") | {"content-type": "text/plain"}
    request = {"method": "POST", "url": f"{API}/orders", "json": support.order_body(), "headers": headers}
    await refuses(client, place, request, 415, "unsupported_media_type")


async def test_a_far_future_due_date_never_breaks_dispatch(client: httpx.AsyncClient, place: Place) -> None:
    created = await client.post(
        f"{API}/orders", json=support.order_body(due_date="9999-12-31"), headers=place.auth("coordinator")
    )
    if created.status_code != 201:  # refusing such a date is a fine answer too
        refused(created, 422, "invalid")
        return
    offers = {"offers": [{"artisan_id": place.a1.id, "quantity": 1}]}
    dispatched = await client.post(
        f"{API}/orders/{created.json()['id']}/dispatch", json=offers, headers=place.auth("coordinator")
    )
    assert dispatched.status_code == 201, dispatched.text


async def test_a_long_payout_reference_is_kept_or_refused_alike_on_both_databases(
    client: httpx.AsyncClient, place: Place
) -> None:
    work = await job_in_state(client, place.brand, place.a1, "approved")
    reference = "R" * 300
    response = await client.post(
        f"{API}/jobs/{work.job_id}/payout",
        json={"method": "bank", "reference": reference},
        headers=place.auth("coordinator"),
    )
    if response.status_code == 201:
        assert response.json()["reference"] == reference
    else:
        refused(response, response.status_code)
        assert response.status_code in (400, 422)
