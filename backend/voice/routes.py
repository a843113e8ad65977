"""Aliyun's voice pushes (``VoiceCallReport`` and ``VoiceReport``), JSON arrays of any length.

Guarded as its SMS pushes are (``?token=``, the same ``CUNJIANG_SMS_CALLBACK_TOKEN``, compared
in constant time before the body is read) and answered at once with the body Aliyun expects:
each report is stored once per call and kind (inbox-first), and applied just after the
response; a body that is not a JSON array is refused (400).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, post
from litestar.background_tasks import BackgroundTask

from backend.gateways import aliyun
from backend.sms.aliyun_routes import RECEIVED, Token, read_items
from backend.voice import aliyun_push, reports

REPORT_PATH = "/voice/aliyun/report"


async def _apply(report_ids: list[int]) -> None:
    for report_id in report_ids:
        await reports.apply(report_id)


@post(REPORT_PATH, status_code=200, include_in_schema=False, opt={"exactly_once": "by_content"})
async def aliyun_voice_report(request: Request[Any, Any, Any], token: Token = None) -> Response[dict[str, object]]:
    """Calls' keys and ends: each stored once per call and kind, applied just after."""
    aliyun.check_push_token(token)
    stored = await aliyun_push.receive(await read_items(request))
    return Response(RECEIVED, background=BackgroundTask(_apply, stored) if stored else None)
