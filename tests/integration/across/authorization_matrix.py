"""The rows of the authorisation matrix (``test_authorization.py``): every endpoint of the
contract, with the status each caller gets on brand A's ids (``own``) and on brand B's (``other``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests import support

FILE = object()  # the body of a photo upload: a multipart `file`
ADMIN_ONLY = (200, 403, 403, 403, 403, 401, 401, 401)


# ---------------------------------------------------------------------------------------------
# The matrix. `own` has one expected status per actor (ACTORS order); `other` one per signed-in
# actor (SIGNED_IN order) for the same request aimed at brand B's ids.


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    body: Any = None
    own: tuple[int, ...] = ()
    other: tuple[int, ...] | None = None
    codes: dict[int, str] = field(default_factory=dict)  # error codes that differ from CODES
    otp_client: bool = False


STAFF_ONLY = (200, 200, 403, 403, 403, 401, 401, 401)
STAFF_ELSEWHERE = (404, 404, 403, 403, 403)  # staff: not in their brand; the rest: never theirs
ANY_USER = (200, 200, 200, 200, 200, 401, 401, 401)
A1_ONLY = (403, 403, 403, 200, 404, 401, 401, 401)  # the job's own artisan; a2 is told it does not exist
NOBODYS = (403, 403, 403, 404, 404)  # artisans: another brand's job does not exist


def created(row: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(201 if status == 200 else status for status in row)


ROWS = [
    # sign-in: anyone, with or without a token
    Row("POST", "/auth/otp", {"phone": "{new_phone}"}, own=(202,) * 8, otp_client=True),
    Row("POST", "/auth/token", {"phone": "{new_phone}", "code": "000000"}, own=(401,) * 8, codes={401: "invalid_code"}),
    Row("GET", "/me", own=ANY_USER),
    Row("DELETE", "/auth/token", own=(204, 204, 204, 204, 204, 401, 401, 401)),
    # villages and artisans: the brand's staff
    Row("POST", "/villages", {"name": "新寨", "county": "榕江县", "province": "贵州省"}, own=created(STAFF_ONLY)),
    Row("GET", "/villages", own=STAFF_ONLY),
    Row(
        "POST",
        "/artisans",
        {"name": "新手艺人", "phone": "{new_phone}", "village_id": "{village}", "crafts": ["batik"]},
        own=created(STAFF_ONLY),
        other=(422, 422, 403, 403, 403),  # another brand's village is no village: invalid input
    ),
    Row("GET", "/artisans?village_id={village}", own=STAFF_ONLY, other=(200, 200, 403, 403, 403)),
    Row("PATCH", "/artisans/{artisan}", {"sms_only": True}, own=STAFF_ONLY, other=STAFF_ELSEWHERE),
    Row("PATCH", "/artisans/{admin_member}", {"sms_only": True}, own=(404, 404, 403, 403, 403, 401, 401, 401)),
    Row("POST", "/artisans/{artisan}/sign-out", own=(204, 204, 403, 403, 403, 401, 401, 401), other=STAFF_ELSEWHERE),
    Row("POST", "/artisans/{admin_member}/sign-out", own=(404, 404, 403, 403, 403, 401, 401, 401)),
    # crafts: everyone of the brand sees them, its admins change them
    Row("GET", "/crafts", own=ANY_USER),
    Row("POST", "/crafts", {"code": "{new_craft}", "names": {"zh_Hans": "竹编"}}, own=created(ADMIN_ONLY)),
    Row(
        "PATCH",
        "/crafts/{craft}",
        {"names": {"en": "Needlework"}},
        own=ADMIN_ONLY,
        other=(404, 403, 403, 403, 403),
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
    Row("PATCH", "/members/{leader_member}", {"name": "杨带头"}, own=ADMIN_ONLY, other=(404, 403, 403, 403, 403)),
    Row("POST", "/members/{member}/sign-out", own=(204, *ADMIN_ONLY[1:]), other=(404, 403, 403, 403, 403)),
    Row("GET", "/brand", own=STAFF_ONLY),
    Row("PATCH", "/brand", {"offer_window_hours": 72}, own=ADMIN_ONLY),
    Row("PATCH", "/villages/{village}", {"county": "雷山县"}, own=STAFF_ONLY, other=STAFF_ELSEWHERE),
    # orders and offers: the brand's staff
    Row("POST", "/orders", support.order_body(), own=created(STAFF_ONLY)),
    Row("PATCH", "/orders/{order}", {"title": "蜡染桌旗"}, own=STAFF_ONLY, other=STAFF_ELSEWHERE),
    Row("GET", "/orders", own=STAFF_ONLY),
    Row("GET", "/orders/{order}", own=STAFF_ONLY, other=STAFF_ELSEWHERE),
    Row("GET", "/orders/{order}/jobs", own=STAFF_ONLY, other=STAFF_ELSEWHERE),
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
    # jobs: artisans their own, a leader the village's
    Row("GET", "/jobs", own=(403, 403, 200, 200, 200, 401, 401, 401)),
    Row("GET", "/jobs?since=0", own=(403, 403, 200, 200, 200, 401, 401, 401)),
    Row("POST", "/jobs/{offered}/accept", {"quantity": 1}, own=A1_ONLY, other=NOBODYS),
    Row("POST", "/jobs/{offered}/decline", {"reason": "没空"}, own=A1_ONLY, other=NOBODYS),
    Row("POST", "/photos", FILE, own=created(ANY_USER)),  # staff: an order's reference photos
    Row(
        "POST",
        "/jobs/{accepted}/submissions",
        {"quantity": 1, "photo_ids": ["{photo}"]},
        own=(403, 403, 201, 201, 404, 401, 401, 401),  # the leader of V1 submits for a1 of V1
        other=(403, 403, 404, 404, 404),
    ),
    Row(
        "POST",
        "/jobs/{accepted_a2}/submissions",
        {"quantity": 1, "photo_ids": ["{photo_a2}"]},
        own=(403, 403, 404, 404, 201, 401, 401, 401),  # a2 lives in V2: not the leader's village
        other=(403, 403, 404, 404, 404),
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
    Row("GET", "/payouts", own=(200, 200, 403, 200, 200, 401, 401, 401)),
    Row("GET", "/payouts/due", own=STAFF_ONLY),
    Row("GET", "/payouts/export?from=2026-11-01&to=2026-11-30", own=STAFF_ONLY),
    Row("GET", "/payouts/export?from=2026-11-01&to=2026-11-30&format=xlsx", own=STAFF_ONLY),
    Row("POST", "/payouts/{payout}/confirm", own=A1_ONLY, other=NOBODYS),
    Row("POST", "/payouts/{payout}/dispute", {"reason": "没收到"}, own=A1_ONLY, other=NOBODYS),
    Row(
        "POST",
        "/payouts/{disputed}/resolve",
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
    Row("GET", "/photos/{photo}/list", own=(200, 200, 200, 200, 404, 401, 401, 401), other=(404,) * 5),
    Row("GET", "/photos/{photo}/full", own=(200, 200, 200, 200, 404, 401, 401, 401), other=(404,) * 5),
    Row("GET", "/photos/{photo_a2}/review", own=(200, 200, 404, 404, 200, 401, 401, 401), other=(404,) * 5),
]
