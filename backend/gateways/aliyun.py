"""Aliyun SMS: delivery with the official SDK (registered templates, batches, look-ups), and
what its HTTP pushes carry (the token that guards them, replies and delivery reports).

Aliyun sends approved templates only: each message goes as its key's template code (from
``ALIYUN_SMS_TEMPLATES``) with its variables as a JSON object of strings, and our
reference as ``OutId``. Messages sharing a template go out together through
``SendBatchSms`` (up to 100 numbers a call). ``SendSms`` is not idempotent, so a call that
times out is not resent: the outbox marks the message unconfirmed and later asks
``QuerySendDetails`` whether Aliyun has it (a delivery report may settle it first).
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
from collections.abc import Sequence

import msgspec
from alibabacloud_dysmsapi20170525 import models
from alibabacloud_dysmsapi20170525.client import Client
from Tea.exceptions import TeaException, UnretryableException

from backend.core.errors import Forbidden
from backend.core.i18n import N_
from backend.core.settings import get_settings
from backend.gateways.aliyun_sdk import client_config, runtime
from backend.gateways.base import SEND_TIMEOUT_S, Found, Lookup, SendError, SendResult, Sms
from backend.messages.registered import Codes

BATCH = 100  # numbers a SendBatchSms call takes
# Refusals a retry cannot mend (the number, the template, the signature, the parameters).
# Others (BUSINESS_LIMIT_CONTROL: a number's hourly limit; AMOUNT_NOT_ENOUGH: the balance;
# isp.*: Aliyun's own trouble) are retried later.
RETRYABLE = {"isv.BUSINESS_LIMIT_CONTROL", "isv.AMOUNT_NOT_ENOUGH", "Throttling.User", "isv.DAY_LIMIT_CONTROL"}
STATUS = {1: Found.SENT, 2: Found.FAILED, 3: Found.SENT}  # waiting for a receipt, failed, delivered


class AliyunGateway:
    name = "aliyun"
    max_batch = BATCH

    def __init__(
        self,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        *,
        endpoint: str,
        codes: Codes,
        timeout_s: float = SEND_TIMEOUT_S,
    ) -> None:
        self._client = Client(client_config(access_key_id, access_key_secret, endpoint))
        self._sign = sign_name
        self._codes = codes
        self._runtime = runtime(timeout_s)

    def _code(self, message: Sms) -> str:
        code = self._codes.get((message.kind, message.locale))
        if not code:
            raise SendError(f"no Aliyun template code for {message.kind} ({message.locale})", permanent=True)
        return code

    async def send(self, message: Sms) -> SendResult:
        request = models.SendSmsRequest(
            phone_numbers=message.to_phone,
            sign_name=self._sign,
            template_code=self._code(message),
            template_param=json.dumps(message.variables, ensure_ascii=False),
            out_id=message.reference,
        )
        return _result(await _call(self._client.send_sms_with_options_async(request, self._runtime)))

    async def send_batch(self, messages: Sequence[Sms]) -> SendResult:
        """One template, many numbers, one call: all accepted or none."""
        request = models.SendBatchSmsRequest(
            phone_number_json=json.dumps([m.to_phone for m in messages]),
            sign_name_json=json.dumps([self._sign] * len(messages), ensure_ascii=False),
            template_code=self._code(messages[0]),
            template_param_json=json.dumps([m.variables for m in messages], ensure_ascii=False),
            out_id=messages[0].reference,
        )
        return _result(await _call(self._client.send_batch_sms_with_options_async(request, self._runtime)))

    async def look_up(self, message: Sms, sent_on: dt.date) -> Lookup:
        """Whether Aliyun has this message (by our reference and the number), and how it went."""
        request = models.QuerySendDetailsRequest(
            phone_number=message.to_phone, send_date=sent_on.strftime("%Y%m%d"), page_size=50, current_page=1
        )
        body = (await _call(self._client.query_send_details_with_options_async(request, self._runtime))).body
        if body.code != "OK":
            return Lookup(Found.UNKNOWN, detail=f"aliyun {body.code}: {body.message}")
        details = body.sms_send_detail_dtos.sms_send_detail_dto if body.sms_send_detail_dtos else []
        mine = [d for d in details or [] if d.out_id == message.reference]
        if not mine:
            return Lookup(Found.ABSENT)
        return Lookup(STATUS.get(int(mine[0].send_status or 1), Found.SENT), detail=mine[0].err_code or "")


async def _call(pending: object) -> models.SendSmsResponse:
    """The SDK's answer; its failures as SendError (an unanswered call: ``unknown``)."""
    try:
        return await pending  # type: ignore[misc]
    except UnretryableException as error:
        inner = error.inner_exception
        # The SDK wraps the socket's error in a RetryError of its own (the original as its context).
        cause = inner.__context__ if inner is not None and inner.__context__ is not None else inner
        refused = isinstance(cause, OSError) and not isinstance(cause, TimeoutError)
        # Refused before any byte was sent: nothing happened. Otherwise Aliyun may have it.
        raise SendError(f"aliyun unreachable: {inner}", unknown=not refused) from error
    except TeaException as error:
        permanent = str(error.code) not in RETRYABLE and str(error.code).startswith("isv.")
        raise SendError(f"aliyun {error.code}: {error.message}", permanent=permanent) from error


def _result(response: models.SendSmsResponse) -> SendResult:
    body = response.body
    if body.code != "OK":
        permanent = body.code not in RETRYABLE and str(body.code).startswith("isv.")
        raise SendError(f"aliyun {body.code}: {body.message}", permanent=permanent)
    return SendResult(provider_sid=str(body.biz_id))


# Its pushes (configured in Aliyun's console) sign nothing: the URL carries a secret.


def check_push_token(token: str | None) -> None:
    """Refuse a push without the configured secret (or when none is configured); constant time."""
    expected = get_settings().sms_callback_token
    if not expected or not token or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Forbidden(N_("The callback token is not valid."))


class AliyunReply(msgspec.Struct):
    """A villager's SMS (上行, SmsUp), one item of a push."""

    phone_number: str
    sequence_id: int | str
    content: str = ""
    send_time: str = ""
    sign_name: str = ""
    dest_code: str = ""


class AliyunReport(msgspec.Struct):
    """A delivery report (SmsReport), one item of a push."""

    phone_number: str
    success: bool
    biz_id: str = ""
    out_id: str = ""
    err_code: str = ""
    err_msg: str = ""
    sms_size: int | str = 1
    send_time: str = ""
    report_time: str = ""
