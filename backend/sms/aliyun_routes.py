"""Aliyun's HTTP pushes: villagers' replies (上行) and delivery reports, JSON arrays of any length.

Aliyun signs nothing and waits only about 700 ms, and may push a message twice: the URL
carries a secret (``?token=``, compared in constant time, before the body is read), each
reply is stored once per ``sequence_id`` (inbox-first) and answered by the conversation just
after the response, and each report is applied to its message (a repeat changes nothing).
The array is read item by item (``backend.sms.aliyun_push``): a bad item is set aside as a
dead letter and the push still succeeds, since Aliyun would repeat a refused push, good
items and all, for ever. A body that is not a JSON array is refused (400) and not kept:
Aliyun never sends one, so it is someone holding the token, who should hear it at once.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, post
from litestar.background_tasks import BackgroundTask
from litestar.exceptions import ValidationException
from litestar.params import QueryParameter

from backend.gateways import aliyun
from backend.sms import aliyun_push, engine

log = logging.getLogger("cunjiang.sms")

UP_PATH = "/sms/aliyun/up"
REPORT_PATH = "/sms/aliyun/report"
RECEIVED = {"code": 0, "msg": "接收成功"}
Token = Annotated[str | None, QueryParameter(max_length=200, description="CUNJIANG_SMS_CALLBACK_TOKEN")]


async def read_items(request: Request[Any, Any, Any]) -> list[bytes]:
    """The push's items, each as the JSON text it came as; 400 for a body that is not a JSON array."""
    try:
        return [bytes(item) for item in msgspec.json.decode(await request.body(), type=list[msgspec.Raw])]
    except (msgspec.MsgspecError, UnicodeDecodeError, RecursionError) as error:
        log.warning("Aliyun push on %s refused, not a JSON array: %s", request.url.path, error)
        raise ValidationException() from error


async def _answer(inbox_ids: list[int]) -> None:
    for inbox_id in inbox_ids:
        await engine.process(inbox_id)


@post(UP_PATH, status_code=200, include_in_schema=False, opt={"exactly_once": "by_content"})  # per sequence_id
async def aliyun_up(request: Request[Any, Any, Any], token: Token = None) -> Response[dict[str, object]]:
    """Villagers' replies: each stored once per sequence_id, answered just after; bad items set aside."""
    aliyun.check_push_token(token)
    stored = await aliyun_push.receive_replies(await read_items(request))
    return Response(RECEIVED, background=BackgroundTask(_answer, stored) if stored else None)


@post(REPORT_PATH, status_code=200, include_in_schema=False, opt={"exactly_once": "by_content"})
async def aliyun_report(request: Request[Any, Any, Any], token: Token = None) -> dict[str, object]:
    """Delivery reports: each applied to its message (by Aliyun's id and the number, or our OutId)."""
    aliyun.check_push_token(token)
    await aliyun_push.apply_reports(await read_items(request))
    return RECEIVED
