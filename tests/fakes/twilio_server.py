"""A local server that speaks Twilio's Messages and Calls REST formats and records what it was sent."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from tests.fakes.http import JsonHandler, serving


@dataclass
class FakeTwilio:
    url: str
    messages: list[dict[str, str]] = field(default_factory=list)
    calls: list[dict[str, str]] = field(default_factory=list)  # each with its "Sid", as answered
    fail_with: tuple[int, int] | None = None  # (HTTP status, Twilio error code) for the next sends
    delay_s: float = 0.0  # answer this late, after recording the message (a slow gateway)
    lock: threading.Lock = field(default_factory=threading.Lock)


class TwilioHandler(JsonHandler):
    state: FakeTwilio

    def do_POST(self) -> None:  # noqa: N802 - http.server calls it by this name
        state = self.state
        length = int(self.headers.get("content-length", 0))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        calling = self.path.endswith("/Calls.json")
        if not (calling or self.path.endswith("/Messages.json")) or "Authorization" not in self.headers:
            self.reply(404, {"code": 20404, "message": "not found", "status": 404})
        elif state.fail_with:
            status, code = state.fail_with
            self.reply(status, {"code": code, "message": "refused", "status": status})
        elif calling:
            sid = f"CA{uuid.uuid4().hex}"
            with state.lock:
                state.calls.append(form | {"Sid": sid})
            self.reply(201, {"sid": sid, "status": "queued", "to": form.get("To"), "from": form.get("From")})
        else:
            with state.lock:
                state.messages.append(form)
                sid = f"SM{uuid.uuid4().hex}"  # unique across servers, as Twilio's are
            time.sleep(state.delay_s)
            self.reply(201, {"sid": sid, "status": "queued", "to": form.get("To"), "body": form.get("Body")})


@contextmanager
def fake_twilio() -> Iterator[FakeTwilio]:
    state = FakeTwilio(url="")
    with serving(type("Handler", (TwilioHandler,), {"state": state})) as address:
        state.url = f"http://{address}"
        yield state
