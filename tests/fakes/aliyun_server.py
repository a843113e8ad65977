"""A local server that speaks Aliyun SMS's RPC API (SendSms, SendBatchSms, QuerySendDetails)
and Aliyun voice's (IvrCall) as the official SDKs call them, and records each call."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.http import JsonHandler, serving


@dataclass
class Sent:
    phone: str
    template_code: str
    params: dict[str, str]
    sign_name: str
    out_id: str
    biz_id: str
    status: int = 1  # QuerySendDetails: 1 waiting for the receipt, 2 failed, 3 delivered


@dataclass
class Placed:
    """An IvrCall: the number called, the prompt's template and variables, the menu, our OutId."""

    phone: str
    show_number: str
    start_code: str
    params: dict[str, str]
    menu: dict[str, tuple[str, str]]  # key → (template code, its variables as JSON)
    play_times: str
    out_id: str
    call_id: str


@dataclass
class FakeAliyun:
    url: str
    host_port: str = ""
    calls: list[dict[str, Any]] = field(default_factory=list)  # every call: action, query, form
    sent: list[Sent] = field(default_factory=list)
    placed: list[Placed] = field(default_factory=list)
    fail_with: str | None = None  # an error Code for the next sends (e.g. isv.BUSINESS_LIMIT_CONTROL)
    delay_s: float = 0.0  # answer this late, after recording (a timeout that did send)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, phone: str) -> list[Sent]:
        return [s for s in self.sent if s.phone.removeprefix("+86").removeprefix("86") == phone.removeprefix("+86")]


def _flat(values: dict[str, list[str]]) -> dict[str, str]:
    return {key: found[0] for key, found in values.items()}


class AliyunHandler(JsonHandler):
    state: FakeAliyun
    content_type = "application/json;charset=utf-8"

    def do_POST(self) -> None:  # noqa: N802 - http.server calls it by this name
        action = self.headers.get("x-acs-action", "")
        query = _flat(parse_qs(urlsplit(self.path).query))
        length = int(self.headers.get("content-length", 0))
        form = _flat(parse_qs(self.rfile.read(length).decode()))
        if "ACS3-HMAC-SHA256" not in self.headers.get("Authorization", ""):
            return self.reply(403, {"Code": "InvalidAccessKeyId.NotFound", "Message": "unsigned"})
        with self.state.lock:
            self.state.calls.append({"action": action, "query": query, "form": form})
        answer = {
            "SendSms": self._send,
            "SendBatchSms": self._send_batch,
            "QuerySendDetails": self._query,
            "IvrCall": self._ivr_call,
        }.get(action)
        if answer is None:
            return self.reply(404, {"Code": "InvalidAction.NotFound", "Message": action})
        return answer(query, form)

    def _send(self, query: dict[str, str], form: dict[str, str]) -> None:
        params = query | form
        self._accept(
            [params.get("PhoneNumbers", "")],
            params.get("TemplateCode", ""),
            [json.loads(params.get("TemplateParam", "{}"))],
            [params.get("SignName", "")],
            params.get("OutId", ""),
        )

    def _send_batch(self, query: dict[str, str], form: dict[str, str]) -> None:
        params = query | form
        self._accept(
            json.loads(params["PhoneNumberJson"]),
            params.get("TemplateCode", ""),
            json.loads(params.get("TemplateParamJson", "[]")),
            json.loads(params.get("SignNameJson", "[]")),
            params.get("OutId", ""),
        )

    def _accept(self, phones: list[str], code: str, params: list[Any], signs: list[str], out_id: str) -> None:
        if self.state.fail_with:
            return self.reply(200, {"Code": self.state.fail_with, "Message": "refused", "RequestId": "r"})
        biz_id = f"{uuid.uuid4().int % 10**18}^0"
        with self.state.lock:
            self.state.sent += [
                Sent(phone, code, param, sign, out_id, biz_id)
                for phone, param, sign in zip(phones, params, signs, strict=True)
            ]
        time.sleep(self.state.delay_s)
        return self.reply(200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": uuid.uuid4().hex})

    def _query(self, query: dict[str, str], form: dict[str, str]) -> None:
        params = query | form
        phone = params.get("PhoneNumber", "")
        found = [s for s in self.state.to(phone) if not params.get("BizId") or s.biz_id == params["BizId"]]
        details = [
            {
                "PhoneNum": s.phone,
                "SendStatus": s.status,
                "OutId": s.out_id,
                "TemplateCode": s.template_code,
                "Content": json.dumps(s.params, ensure_ascii=False),
                "ErrCode": "DELIVERED" if s.status == 3 else "",
                "SendDate": "2026-11-24 10:00:00",
            }
            for s in found
        ]
        body = {"Code": "OK", "Message": "OK", "TotalCount": str(len(details)), "RequestId": "q"}
        return self.reply(200, body | {"SmsSendDetailDTOs": {"SmsSendDetailDTO": details}})

    def _ivr_call(self, query: dict[str, str], form: dict[str, str]) -> None:
        params = query | form
        if self.state.fail_with:
            return self.reply(200, {"Code": self.state.fail_with, "Message": "refused", "RequestId": "r"})
        menu: dict[str, tuple[str, str]] = {}
        for number in range(1, 11):
            key = params.get(f"MenuKeyMap.{number}.Key")
            if key is not None:
                menu[key] = (
                    params.get(f"MenuKeyMap.{number}.Code", ""),
                    params.get(f"MenuKeyMap.{number}.TtsParams", ""),
                )
        call_id = f"{uuid.uuid4().int % 10**12}^{uuid.uuid4().int % 10**12}"
        placed = Placed(
            phone=params.get("CalledNumber", ""),
            show_number=params.get("CalledShowNumber", ""),
            start_code=params.get("StartCode", ""),
            params=json.loads(params.get("StartTtsParams", "{}")),
            menu=menu,
            play_times=params.get("PlayTimes", ""),
            out_id=params.get("OutId", ""),
            call_id=call_id,
        )
        with self.state.lock:
            self.state.placed.append(placed)
        return self.reply(200, {"Code": "OK", "Message": "OK", "CallId": call_id, "RequestId": uuid.uuid4().hex})


@contextmanager
def fake_aliyun() -> Iterator[FakeAliyun]:
    state = FakeAliyun(url="")
    with serving(type("Handler", (AliyunHandler,), {"state": state})) as address:
        state.host_port = address
        state.url = f"http://{address}"
        yield state
