"""The rows of the authorisation matrix (``test_authorization.py``): every endpoint of the
contract, with the status each caller gets on brand A's ids (``own``) and on brand B's (``other``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tests import support

FILE = object()  # the body of a photo upload: a multipart `file`

# ---------------------------------------------------------------------------------------------
# The columns: the five people of brand A, then three callers without a valid token.

SIGNED_IN = ("admin", "coordinator", "leader", "a1", "a2")
ACTORS = (*SIGNED_IN, "anonymous", "bad_token", "revoked")

Statuses = Mapping[str, int]  # caller -> the status they get


def by(
    *,
    admin: int,
    coordinator: int,
    leader: int,
    a1: int,
    a2: int,
    anonymous: int = 401,
    bad_token: int = 401,
    revoked: int = 401,
) -> Statuses:
    """What each caller gets on brand A's ids; callers without a valid token get 401 unless said."""
    return {
        "admin": admin,
        "coordinator": coordinator,
        "leader": leader,
        "a1": a1,
        "a2": a2,
        "anonymous": anonymous,
        "bad_token": bad_token,
        "revoked": revoked,
    }


def everyone(status: int) -> Statuses:
    """The same status for every caller, with a valid token or without."""
    return dict.fromkeys(ACTORS, status)


def elsewhere(*, admin: int, coordinator: int, leader: int, a1: int, a2: int) -> Statuses:
    """What each of brand A's people gets on brand B's ids."""
    return {"admin": admin, "coordinator": coordinator, "leader": leader, "a1": a1, "a2": a2}


def created(statuses: Statuses) -> Statuses:
    """The same callers allowed, answered 201 Created."""
    return {caller: 201 if status == 200 else status for caller, status in statuses.items()}


# The shapes many rows share.
ADMIN_ONLY = by(admin=200, coordinator=403, leader=403, a1=403, a2=403)
STAFF_ONLY = by(admin=200, coordinator=200, leader=403, a1=403, a2=403)
ANY_USER = by(admin=200, coordinator=200, leader=200, a1=200, a2=200)
A1_ONLY = by(admin=403, coordinator=403, leader=403, a1=200, a2=404)  # the job's own artisan; a2: no such job
STAFF_ELSEWHERE = elsewhere(admin=404, coordinator=404, leader=403, a1=403, a2=403)  # staff: not in their brand
NOBODYS = elsewhere(admin=403, coordinator=403, leader=403, a1=404, a2=404)  # artisans: no such job
UNSEEN = elsewhere(admin=404, coordinator=404, leader=404, a1=404, a2=404)  # another brand's photo: none such


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    body: Any = None
    own: Statuses = field(default_factory=dict)
    other: Statuses | None = None
    codes: dict[int, str] = field(default_factory=dict)  # error codes that differ from CODES
    otp_client: bool = False


ROWS = [
    # sign-in: anyone, with or without a token
    Row("POST", "/auth/otp", {"phone": "{new_phone}"}, own=everyone(202), otp_client=True),
    Row(
        "POST",
        "/auth/token",
        {"phone": "{new_phone}", "code": "000000"},
        own=everyone(401),
        codes={401: "invalid_code"},
    ),
    Row("GET", "/me", own=ANY_USER),
    Row("DELETE", "/auth/token", own=by(admin=204, coordinator=204, leader=204, a1=204, a2=204)),
    # villages and artisans: the brand's staff
    Row("POST", "/villages", {"name": "新寨", "county": "榕江县", "province": "贵州省"}, own=created(STAFF_ONLY)),
    Row("GET", "/villages", own=STAFF_ONLY),
    Row(
        "POST",
        "/artisans",
        {"name": "新手艺人", "phone": "{new_phone}", "village_id": "{village}", "crafts": ["batik"]},
        own=created(STAFF_ONLY),
        # another brand's village is no village: invalid input
        other=elsewhere(admin=422, coordinator=422, leader=403, a1=403, a2=403),
    ),
    Row(
        "GET",
        "/artisans?village_id={village}",
        own=STAFF_ONLY,
        other=elsewhere(admin=200, coordinator=200, leader=403, a1=403, a2=403),
    ),
    Row("PATCH", "/artisans/{artisan}", {"sms_only": True}, own=STAFF_ONLY, other=STAFF_ELSEWHERE),
    Row(
        "PATCH",
        "/artisans/{admin_member}",
        {"sms_only": True},
        own=by(admin=404, coordinator=404, leader=403, a1=403, a2=403),
    ),
    Row(
        "POST",
        "/artisans/{artisan}/sign-out",
        own=by(admin=204, coordinator=204, leader=403, a1=403, a2=403),
        other=STAFF_ELSEWHERE,
    ),
    Row("POST", "/artisans/{admin_member}/sign-out", own=by(admin=404, coordinator=404, leader=403, a1=403, a2=403)),
    # crafts: everyone of the brand sees them, its admins change them
    Row("GET", "/crafts", own=ANY_USER),
    Row("POST", "/crafts", {"code": "{new_craft}", "names": {"zh_Hans": "竹编"}}, own=created(ADMIN_ONLY)),
    Row(
        "PATCH",
        "/crafts/{craft}",
        {"names": {"en": "Needlework"}},
        own=ADMIN_ONLY,
        other=elsewhere(admin=404, coordinator=403, leader=403, a1=403, a2=403),
    ),
    # people and settings: the brand's admins; villages: its staff
    Row("GET", "/members", own=ADMIN_ONLY),
    Row("GET", "/members?role=leader", own=ADMIN_ONLY),
    Row(
        "POST",
        "/members",
        {"role": "leader", "name": "新带头人", "phone": "{new_phone}", "village_id": "{village}"},
        own=created(ADMIN_ONLY),
    ),
    Row(
        "PATCH",
        "/members/{leader_member}",
        {"name": "杨带头"},
        own=ADMIN_ONLY,
        other=elsewhere(admin=404, coordinator=403, leader=403, a1=403, a2=403),
    ),
    Row(
        "POST",
        "/members/{member}/sign-out",
        own=by(admin=204, coordinator=403, leader=403, a1=403, a2=403),
        other=elsewhere(admin=404, coordinator=403, leader=403, a1=403, a2=403),
    ),
    Row("GET", "/brand", own=STAFF_ONLY),
    Row("PATCH", "/brand", {"offer_window_hours": 72}, own=ADMIN_ONLY),
    Row("PATCH", "/villages/{village}", {"county": "雷山县"}, own=STAFF_ONLY, other=STAFF_ELSEWHERE),
    # orders and offers: the brand's staff
    Row("POST", "/orders", support.order_body(), own=created(STAFF_ONLY)),
    Row("PATCH", "/orders/{order}", {"title": "蜡染桌旗"}, own=STAFF_ONLY, other=STAFF_ELSEWHERE),
    Row("GET", "/orders", own=STAFF_ONLY),
    Row("GET", "/orders/{order}", own=STAFF_ONLY, other=STAFF_ELSEWHERE),
    Row("GET", "/orders/{order}/jobs", own=STAFF_ONLY, other=STAFF_ELSEWHERE),
    Row("GET", "/orders/{order}/price-feedback", own=STAFF_ONLY, other=STAFF_ELSEWHERE),
    Row("GET", "/orders/{order}/suggestion", own=STAFF_ONLY, other=STAFF_ELSEWHERE),
    Row("GET", "/orders/{order}/suggestion?village_id={village}&craft=batik", own=STAFF_ONLY, other=STAFF_ELSEWHERE),
    Row(
        "POST",
        "/orders/{order}/dispatch",
        {"offers": [{"artisan_id": "{a2}", "quantity": 1}]},
        own=created(STAFF_ONLY),
        other=STAFF_ELSEWHERE,
    ),
    Row("POST", "/orders/{order}/cancel", own=STAFF_ONLY, other=STAFF_ELSEWHERE),
    Row("POST", "/jobs/{offered}/withdraw", own=STAFF_ONLY, other=STAFF_ELSEWHERE),
    # piece passports: the brand's staff
    Row("GET", "/passports?order_id={order}", own=STAFF_ONLY, other=STAFF_ELSEWHERE),
    Row("GET", "/passports/{passport}/qr.svg", own=STAFF_ONLY, other=STAFF_ELSEWHERE),
    Row("POST", "/passports/{passport}/withdraw", {"reason": "褪色"}, own=STAFF_ONLY, other=STAFF_ELSEWHERE),
    # jobs: artisans their own, a leader the village's
    Row("GET", "/jobs", own=by(admin=403, coordinator=403, leader=200, a1=200, a2=200)),
    Row("GET", "/jobs?since=0", own=by(admin=403, coordinator=403, leader=200, a1=200, a2=200)),
    Row("POST", "/jobs/{offered}/accept", {"quantity": 1}, own=A1_ONLY, other=NOBODYS),
    Row("POST", "/jobs/{offered}/decline", {"reason": "没空"}, own=A1_ONLY, other=NOBODYS),
    Row("POST", "/jobs/{offered}/price-feedback", {"price_fen": 5000}, own=A1_ONLY, other=NOBODYS),
    Row("POST", "/photos", FILE, own=created(ANY_USER)),  # staff: an order's reference photos
    Row(
        "POST",
        "/jobs/{accepted}/submissions",
        {"quantity": 1, "photo_ids": ["{photo}"]},
        own=by(admin=403, coordinator=403, leader=201, a1=201, a2=404),  # the leader of V1 submits for a1 of V1
        other=elsewhere(admin=403, coordinator=403, leader=404, a1=404, a2=404),
    ),
    Row(
        "POST",
        "/jobs/{accepted_a2}/submissions",
        {"quantity": 1, "photo_ids": ["{photo_a2}"]},
        own=by(admin=403, coordinator=403, leader=404, a1=404, a2=201),  # a2 lives in V2: not the leader's village
        other=elsewhere(admin=403, coordinator=403, leader=404, a1=404, a2=404),
    ),
    # review and payouts: the brand's staff; confirmation and disputes: the payout's artisan
    Row("GET", "/submissions", own=STAFF_ONLY),
    Row("GET", "/submissions?status=approved", own=STAFF_ONLY),
    Row("POST", "/submissions/{submission}/review", {"decision": "approve"}, own=STAFF_ONLY, other=STAFF_ELSEWHERE),
    Row(
        "POST",
        "/jobs/{approved}/payout",
        {"method": "alipay", "reference": "ALI-7"},
        own=created(STAFF_ONLY),
        other=STAFF_ELSEWHERE,
    ),
    Row("GET", "/payouts", own=by(admin=200, coordinator=200, leader=403, a1=200, a2=200)),
    Row("GET", "/payouts/due", own=STAFF_ONLY),
    Row("GET", "/payouts/export?from=2026-11-01&to=2026-11-30", own=STAFF_ONLY),
    Row("GET", "/payouts/export?from=2026-11-01&to=2026-11-30&format=xlsx", own=STAFF_ONLY),
    # the income statement: her own for everyone; one of the brand's people's for its staff
    Row("GET", "/me/statement", own=ANY_USER),
    Row("GET", "/me/statement?month=2026-11", own=ANY_USER),
    Row("GET", "/me/statement/months", own=ANY_USER),
    Row("GET", "/members/{artisan}/statement", own=STAFF_ONLY, other=STAFF_ELSEWHERE),
    Row("POST", "/payouts/{payout}/confirm", own=A1_ONLY, other=NOBODYS),
    Row("POST", "/payouts/{payout}/dispute", {"reason": "没收到"}, own=A1_ONLY, other=NOBODYS),
    Row(
        "POST",
        "/payouts/{disputed}/resolve",
        {"resolution": "confirmed", "note": "查到了"},
        own=STAFF_ONLY,
        other=STAFF_ELSEWHERE,
    ),
    # advances: asked by the job's own artisan, decided and paid by the brand's staff, confirmed by her
    Row(
        "POST",
        "/jobs/{accepted}/advance",
        {},
        own=created(by(admin=403, coordinator=403, leader=403, a1=200, a2=404)),
        other=NOBODYS,
    ),
    Row("GET", "/advances", own=by(admin=200, coordinator=200, leader=403, a1=200, a2=200)),
    Row("GET", "/advances?status=requested", own=by(admin=200, coordinator=200, leader=403, a1=200, a2=200)),
    Row("POST", "/advances/{advance_requested}/approve", own=STAFF_ONLY, other=STAFF_ELSEWHERE),
    Row(
        "POST", "/advances/{advance_requested}/refuse", {"reason": "订单未确认"}, own=STAFF_ONLY, other=STAFF_ELSEWHERE
    ),
    Row("POST", "/advances/{advance_approved}/pay", {"method": "cash"}, own=STAFF_ONLY, other=STAFF_ELSEWHERE),
    Row("POST", "/advances/{advance_paid}/confirm", own=A1_ONLY, other=NOBODYS),
    Row("POST", "/advances/{advance_paid}/dispute", {"reason": "没收到"}, own=A1_ONLY, other=NOBODYS),
    Row(
        "POST",
        "/advances/{advance_disputed}/resolve",
        {"resolution": "confirmed", "note": "查到了"},
        own=STAFF_ONLY,
        other=STAFF_ELSEWHERE,
    ),
    # SMS: what was sent or held, the cost, the simulator (console gateway): the brand's staff
    Row("GET", "/sms/messages", own=STAFF_ONLY),
    Row("GET", "/sms/messages?status=held", own=STAFF_ONLY),
    Row("GET", "/sms/usage?months=3", own=STAFF_ONLY),
    Row("GET", "/sms/dead-letters", own=STAFF_ONLY),
    # the dashboard: the brand's staff
    Row("GET", "/dashboard/orders", own=STAFF_ONLY),
    Row("GET", "/dashboard/orders?status=cancelled", own=STAFF_ONLY),
    Row("GET", "/dashboard/villages?months=3", own=STAFF_ONLY),
    Row("GET", "/dashboard/sms?days=7", own=STAFF_ONLY),
    Row("POST", "/sms/simulator", {"phone": "{new_phone}", "body": "0"}, own=created(STAFF_ONLY)),
    Row("GET", "/sms/simulator?phone={new_phone}", own=STAFF_ONLY),
    # photos: the owner, the owner's village leader, the brand's staff
    Row("GET", "/photos/{photo}/list", own=by(admin=200, coordinator=200, leader=200, a1=200, a2=404), other=UNSEEN),
    Row("GET", "/photos/{photo}/full", own=by(admin=200, coordinator=200, leader=200, a1=200, a2=404), other=UNSEEN),
    Row(
        "GET", "/photos/{photo_a2}/review", own=by(admin=200, coordinator=200, leader=404, a1=404, a2=200), other=UNSEEN
    ),
]
