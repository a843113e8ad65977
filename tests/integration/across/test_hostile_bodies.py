"""Hostile bodies on every endpoint: a 4xx with a stable code and a message, never a 500, no effect.

Bodies of the wrong shape or type, missing and unknown fields, numbers too big or too small,
huge strings, malformed phones, dates and enum values. Each refusal is checked against a
snapshot of the brand's rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests import support
from tests.integration.across.hostile import API, HUGE, OTP_ADDRESS, Place, refuses
from tests.support import job_in_state

# ---------------------------------------------------------------------------------------------
# Bodies: every endpoint that takes one, with a valid body to spoil.


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    actor: str | None
    body: dict[str, Any]
    success: int  # the answer to the unspoiled body (token: 401, no code was sent to that phone)


ENDPOINTS = {
    "otp": Endpoint("POST", "/auth/otp", None, {"phone": "{new_phone}"}, 202),
    "token": Endpoint("POST", "/auth/token", None, {"phone": "{new_phone}", "code": "123456"}, 401),
    "village": Endpoint(
        "POST", "/villages", "coordinator", {"name": "新寨", "county": "雷山县", "province": "贵州省"}, 201
    ),
    "artisan": Endpoint(
        "POST",
        "/artisans",
        "coordinator",
        {"name": "新人", "phone": "{new_phone}", "village_id": "{village}", "crafts": ["batik"], "locale": "zh_Hans"},
        201,
    ),
    "artisan_patch": Endpoint("PATCH", "/artisans/{a1}", "coordinator", {"name": "改名", "sms_only": True}, 200),
    "order": Endpoint("POST", "/orders", "coordinator", support.order_body(), 201),
    "dispatch": Endpoint(
        "POST", "/orders/{order}/dispatch", "coordinator", {"offers": [{"artisan_id": "{a2}", "quantity": 2}]}, 201
    ),
    "accept": Endpoint("POST", "/jobs/{offered}/accept", "a1", {"quantity": 1}, 200),
    "decline": Endpoint("POST", "/jobs/{offered}/decline", "a1", {"reason": "没空"}, 200),
    "submit": Endpoint("POST", "/jobs/{accepted}/submissions", "a1", {"quantity": 1, "photo_ids": ["{photo}"]}, 201),
    "review": Endpoint("POST", "/submissions/{submission}/review", "coordinator", {"decision": "approve"}, 200),
    "payout": Endpoint("POST", "/jobs/{approved}/payout", "coordinator", {"method": "cash", "amount_fen": 100}, 201),
    "dispute": Endpoint("POST", "/payouts/{payout}/dispute", "a1", {"reason": "没收到"}, 200),
    "resolve": Endpoint(
        "POST", "/payouts/{disputed}/resolve", "coordinator", {"resolution": "paid", "note": "补转"}, 200
    ),
}

DROP = object()  # as a change: leave the field out


@dataclass(frozen=True)
class Spoiled:
    endpoint: str
    changes: dict[str, Any] | None = None  # merged into the valid body
    raw: bytes | None = None  # or a body sent as it is
    content_type: str = "application/json"
    status: int = 400
    code: str | None = None
    field: str | None = None  # the field the answer must name


# The same refusals for every endpoint: the body is not a JSON object of the right shape.
SHAPES = [
    ("an array", {"raw": b"[]"}),
    ("a string", {"raw": b'"please"'}),
    ("null", {"raw": b"null"}),
    ("a number", {"raw": b"42"}),
    ("malformed JSON", {"raw": b'{"quantity": '}),
    ("an empty body", {"raw": b""}),
    (
        "a form",
        {
            "raw": b"quantity=1",
            "content_type": "application/x-www-form-urlencoded",
            "status": 415,
            "code": "unsupported_media_type",
        },
    ),
    ("an unknown field", {"changes": {"surprise": True}}),
]


def _shape_cases() -> list[Any]:
    return [
        pytest.param(Spoiled(endpoint, **spoil), id=f"{endpoint}: {label}")  # type: ignore[arg-type]
        for endpoint in ENDPOINTS
        for label, spoil in SHAPES
    ]


def bad(endpoint: str, label: str, changes: dict[str, Any], status: int = 400, **extra: Any) -> Any:
    """One spoiled field; a 400 or 422 must name it (``field`` defaults to the changed key)."""
    named = next(iter(changes)) if len(changes) == 1 and DROP not in changes.values() else None
    spoiled = Spoiled(endpoint, changes=changes, status=status, **{"field": named} | extra)
    return pytest.param(spoiled, id=f"{endpoint}: {label}")


def _numbers(endpoint: str, name: str, *, zero_ok: bool = False, null_ok: bool = False) -> list[Any]:
    """Counts and money: wrong types and values far out of range."""
    values = {"2**63": 2**63, "10**30": 10**30, "1e308": 1e308, "-1": -1, "a float": 1.5}
    values |= {"a string": "many", "true": True}
    values |= ({} if zero_ok else {"zero": 0}) | ({} if null_ok else {"null": None})
    return [bad(endpoint, f"{name} is {label}", {name: value}) for label, value in values.items()]


def _texts(endpoint: str, *names: str) -> list[Any]:
    return [bad(endpoint, f"{name} of 100k characters", {name: HUGE}) for name in names] + [
        bad(endpoint, f"{name} is a number", {name: 5}) for name in names
    ]


FIELD_CASES = [
    # sign-in
    bad("otp", "phone missing", {"phone": DROP}),
    bad("otp", "phone of 100k characters", {"phone": HUGE}),
    bad("otp", "phone is a number", {"phone": 13800138000}),
    *[bad("otp", f"phone {p!r}", {"phone": p}, 422, code="invalid") for p in ("abc", "123", "+86 1", "1380013800")],
    bad("token", "code missing", {"code": DROP}),
    bad("token", "code empty", {"code": ""}),
    *_texts("token", "code"),
    bad("token", "phone 'abc'", {"phone": "abc"}, 422),
    # villages and artisans
    bad("village", "name missing", {"name": DROP}),
    bad("village", "name empty", {"name": ""}),
    *_texts("village", "name", "county", "province"),
    *[bad("artisan", f"{name} missing", {name: DROP}) for name in ("name", "phone", "village_id")],
    *_texts("artisan", "name", "phone", "locale"),
    *[bad("artisan", f"phone {p!r}", {"phone": p}, 422, code="invalid") for p in ("abc", "123", "+86 1", "+86 139")],
    *_numbers("artisan", "village_id"),
    bad("artisan", "village_id unknown", {"village_id": 2**31 - 1}, 422),
    bad("artisan", "crafts ['Not a code']", {"crafts": ["Not a code"]}),
    bad("artisan", "crafts ['plastic'], not the brand's", {"crafts": ["plastic"]}, 422, code="invalid"),
    bad("artisan", "crafts a string", {"crafts": "batik"}),
    bad("artisan", "crafts of 11", {"crafts": ["batik"] * 11}),
    bad("artisan", "sms_only 'yes'", {"sms_only": "yes"}),
    bad("artisan", "locale 'xx'", {"locale": "xx"}, 422),
    bad("artisan", "locale a path", {"locale": "../../etc/passwd"}),
    bad("artisan_patch", "name null", {"name": None}),
    bad("artisan_patch", "name empty", {"name": ""}),
    bad("artisan_patch", "active 'no'", {"active": "no"}),
    bad("artisan_patch", "village_id 2**63", {"village_id": 2**63}),
    bad("artisan_patch", "village_id unknown", {"village_id": 2**31 - 1}, 422),
    bad("artisan_patch", "phone 'abc'", {"phone": "abc"}, 422),
    bad("artisan_patch", "phone of another person", {"phone": "{a2_phone}"}, 409, code="phone_taken", field=None),
    bad("artisan_patch", "locale 'xx'", {"locale": "xx"}, 422),
    # orders and offers
    *[bad("order", f"{name} missing", {name: DROP}) for name in ("title", "craft", "quantity", "due_date")],
    *_numbers("order", "quantity"),
    *_numbers("order", "unit_price_fen", zero_ok=True),
    bad("order", "unit_price_fen is -4500", {"unit_price_fen": -4500}),
    bad("order", "craft 'Not a code'", {"craft": "Not a code"}),
    bad("order", "craft 'plastic', not the brand's", {"craft": "plastic"}, 422, code="invalid"),
    *[bad("order", f"due_date {d!r}", {"due_date": d}) for d in ("2026-13-45", "2027-02-30", "tomorrow", 20270101)],
    bad("order", "due_date in the past", {"due_date": "2020-01-01"}, 422),
    *_texts("order", "title", "description", "quality_notes"),
    bad("dispatch", "offers missing", {"offers": DROP}),
    bad("dispatch", "no offers", {"offers": []}),
    bad("dispatch", "offers an object", {"offers": {"artisan_id": "{a2}", "quantity": 1}}),
    bad("dispatch", "5,001 offers", {"offers": [{"artisan_id": n, "quantity": 1} for n in range(1, 5002)]}),
    *[
        bad(
            "dispatch",
            f"offer quantity is {label}",
            {"offers": [{"artisan_id": "{a2}", "quantity": q}]},
            field="offers",
        )
        for label, q in (("0", 0), ("-5", -5), ("10**30", 10**30), ("1e308", 1e308), ("a string", "two"))
    ],
    *[
        bad("dispatch", f"artisan_id is {label}", {"offers": [{"artisan_id": a, "quantity": 1}]}, field="offers")
        for label, a in (("a string", "x"), ("2**63", 2**63), ("-1", -1), ("null", None))
    ],
    bad("dispatch", "more than the order", {"offers": [{"artisan_id": "{a2}", "quantity": 1001}]}, 422),
    bad("dispatch", "the same artisan twice", {"offers": [{"artisan_id": "{a2}", "quantity": 1}] * 2}, 422),
    bad("dispatch", "an unknown artisan", {"offers": [{"artisan_id": 2**31 - 1, "quantity": 1}]}, 422),
    bad("dispatch", "to a coordinator", {"offers": [{"artisan_id": "{coordinator_member}", "quantity": 1}]}, 422),
    # jobs and submissions
    *_numbers("accept", "quantity", null_ok=True),  # null: all that was offered
    bad("accept", "more than offered", {"quantity": 6}, 422),
    *_texts("decline", "reason"),
    *[bad("submit", f"{name} missing", {name: DROP}) for name in ("quantity", "photo_ids")],
    *_numbers("submit", "quantity"),
    bad("submit", "more than accepted", {"quantity": 6}, 422),
    bad("submit", "no photos", {"photo_ids": []}),
    bad("submit", "photo_ids a string", {"photo_ids": "1"}),
    bad("submit", "photo id 2**31", {"photo_ids": [2**31]}),
    bad("submit", "photo id a string", {"photo_ids": ["x"]}),
    bad("submit", "21 photos", {"photo_ids": ["{photo}"] * 21}),
    bad("submit", "an unknown photo", {"photo_ids": [2**31 - 1]}, 422),
    bad("submit", "another artisan's photo", {"photo_ids": ["{photo_a2}"]}, 422),
    *_texts("submit", "note"),
    # review, payouts
    bad("review", "decision missing", {"decision": DROP}),
    *[bad("review", f"decision {d!r}", {"decision": d}) for d in ("maybe", "APPROVE", "", None)],
    bad("review", "rework without a reason", {"decision": "rework"}, 422, field="reason"),
    bad("review", "rework with a blank reason", {"decision": "rework", "reason": "   "}, 422, field="reason"),
    *_texts("review", "reason"),
    bad("payout", "method missing", {"method": DROP}),
    *[bad("payout", f"method {m!r}", {"method": m}) for m in ("bitcoin", "CASH", "", 1)],
    *_numbers("payout", "amount_fen", zero_ok=True, null_ok=True),  # null: approved pieces × rate
    bad("payout", "amount_fen is -100", {"amount_fen": -100}),
    bad("payout", "amount_fen above 10**12", {"amount_fen": 10**12 + 1}),
    *_texts("payout", "reference"),
    bad("dispute", "reason missing", {"reason": DROP}),
    bad("dispute", "reason empty", {"reason": ""}),
    *_texts("dispute", "reason"),
    bad("resolve", "resolution missing", {"resolution": DROP}),
    *[bad("resolve", f"resolution {r!r}", {"resolution": r}) for r in ("later", "disputed", None)],
    *_texts("resolve", "note"),
]


def _spoil(valid: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    body = valid | changes
    return {key: value for key, value in body.items() if value is not DROP}


@pytest.mark.parametrize("case", _shape_cases() + FIELD_CASES)
async def test_bad_bodies_are_refused_with_a_code_and_change_nothing(
    client: httpx.AsyncClient, place: Place, case: Spoiled
) -> None:
    endpoint = ENDPOINTS[case.endpoint]
    ids = place.ids | {"new_phone": support.new_phone()}
    request: dict[str, Any] = {
        "method": endpoint.method,
        "url": API + endpoint.path.format(**ids),
        "headers": place.auth(endpoint.actor) | {"content-type": case.content_type},
    }
    if case.raw is not None:
        request["content"] = case.raw
    else:
        request["json"] = support.fill(_spoil(endpoint.body, case.changes or {}), ids)

    if endpoint.actor is None:
        async with support.client_from(client, OTP_ADDRESS) as elsewhere:
            body = await refuses(elsewhere, place, request, case.status, case.code)
    else:
        body = await refuses(client, place, request, case.status, case.code)
    if case.field:
        assert any(name.startswith(case.field) for name in body.get("fields", {})), body


# The unspoiled bodies work, on resources of their own: the refusals above are due to the
# spoiling and nothing else.
FRESH = {
    "offered": ("offered", "job_id"),
    "accepted": ("accepted", "job_id"),
    "submission": ("submitted", "submission_id"),
    "approved": ("approved", "job_id"),
    "payout": ("paid", "payout_id"),
    "disputed": ("disputed", "payout_id"),
}


@pytest.mark.parametrize("name", list(ENDPOINTS))
async def test_the_unspoiled_bodies_are_accepted(client: httpx.AsyncClient, place: Place, name: str) -> None:
    endpoint = ENDPOINTS[name]
    ids = place.ids | {"new_phone": support.new_phone()}
    for key, (state, attribute) in FRESH.items():
        if "{" + key + "}" in endpoint.path:
            ids[key] = getattr(await job_in_state(client, place.brand, place.a1, state), attribute)
    if "{order}" in endpoint.path:
        ids["order"] = (await support.open_order(client, place.brand))["id"]
    if "{a1}" in endpoint.path:
        ids["a1"] = (await support.artisan(place.brand)).id
    request = {
        "method": endpoint.method,
        "url": API + endpoint.path.format(**ids),
        "headers": place.auth(endpoint.actor),
    }
    request["json"] = support.fill(endpoint.body, ids)
    async with support.client_from(client, OTP_ADDRESS) as elsewhere:
        response = await (elsewhere if endpoint.actor is None else client).request(**request)
    assert response.status_code == endpoint.success, response.text
