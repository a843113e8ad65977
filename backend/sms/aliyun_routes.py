"""Aliyun's HTTP pushes: villagers' replies (上行) and delivery reports, JSON arrays of any length.

Aliyun signs nothing and waits only about 700 ms, and may push a message twice: the URL
carries a secret (``?token=``, compared in constant time), each reply is stored once per
``sequence_id`` (inbox-first) and answered by the conversation just after the response,
and each report is applied to its message (a repeat changes nothing).
"""

from __future__ import annotations

import hmac
from typing import Annotated

import msgspec
from litestar import Response, post
from litestar.background_tasks import BackgroundTask
from litestar.params import JSONBody, QueryParameter

from backend.core.errors import Forbidden
from backend.core.i18n import N_
from backend.core.phones import phone_or_as_given
from backend.core.settings import get_settings
from backend.outbox import record_status
from backend.sms import engine, inbox

UP_PATH = "/sms/aliyun/up"
REPORT_PATH = "/sms/aliyun/report"
RECEIVED = {"code": 0, "msg": "接收成功"}
Token = Annotated[str | None, QueryParameter(max_length=200, description="CUNJIANG_SMS_CALLBACK_TOKEN")]


class AliyunReply(msgspec.Struct):
    phone_number: str
    sequence_id: int | str
    content: str = ""
    send_time: str = ""
    sign_name: str = ""
    dest_code: str = ""


class AliyunReport(msgspec.Struct):
    phone_number: str
    success: bool
    biz_id: str = ""
    out_id: str = ""
    err_code: str = ""
    err_msg: str = ""
    sms_size: int | str = 1
    send_time: str = ""
    report_time: str = ""


def check_token(token: str | None) -> None:
    """Refuse a push without the configured secret (or when none is configured)."""
    expected = get_settings().sms_callback_token
    if not expected or not token or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Forbidden(N_("The callback token is not valid."))


async def _answer(inbox_ids: list[int]) -> None:
    for inbox_id in inbox_ids:
        await engine.process(inbox_id)


@post(UP_PATH, status_code=200, include_in_schema=False)
async def aliyun_up(data: JSONBody[list[AliyunReply]], token: Token = None) -> Response[dict[str, object]]:
    """Villagers' replies: each stored once per sequence_id, answered just after."""
    check_token(token)
    stored = []
    for reply in data:
        received = await inbox.receive(
            "aliyun", str(reply.sequence_id), reply.phone_number, reply.dest_code, reply.content
        )
        if received.inbox_id is not None:
            stored.append(received.inbox_id)
    return Response(RECEIVED, background=BackgroundTask(_answer, stored) if stored else None)


@post(REPORT_PATH, status_code=200, include_in_schema=False)
async def aliyun_report(data: JSONBody[list[AliyunReport]], token: Token = None) -> dict[str, object]:
    """Delivery reports: each applied to its message (by Aliyun's id and the number, or our OutId)."""
    check_token(token)
    for report in data:
        await record_status(
            report.biz_id,
            "delivered" if report.success else "undelivered",
            error_code="" if report.success else report.err_code,
            phone=phone_or_as_given(report.phone_number),
            segments=_size(report.sms_size),
            reference=report.out_id,
        )
    return RECEIVED


def _size(value: int | str) -> int | None:
    try:
        return max(1, int(value))
    except ValueError:
        return None
