"""A local server that speaks Twilio's Messages REST format and records what it was sent."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class FakeTwilio:
    url: str
    messages: list[dict[str, str]] = field(default_factory=list)
    fail_with: tuple[int, int] | None = None  # (HTTP status, Twilio error code) for the next sends
    delay_s: float = 0.0  # answer this late, after recording the message (a slow gateway)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(state: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if not self.path.endswith("/Messages.json") or "Authorization" not in self.headers:
                self._reply(404, {"code": 20404, "message": "not found", "status": 404})
            elif state.fail_with:
                status, code = state.fail_with
                self._reply(status, {"code": code, "message": "refused", "status": status})
            else:
                with state.lock:
                    state.messages.append(form)
                    sid = f"SM{uuid.uuid4().hex}"  # unique across servers, as Twilio's are
                time.sleep(state.delay_s)
                self._reply(201, {"sid": sid, "status": "queued", "to": form.get("To"), "body": form.get("Body")})

        def _reply(self, status: int, payload: dict[str, object]) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def fake_twilio() -> Iterator[FakeTwilio]:
    state = FakeTwilio(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
