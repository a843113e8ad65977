"""What a real server process writes: no callback secret, no whole phone number, in its
access log or anywhere else, however it was started."""

from __future__ import annotations

import re
import secrets

import httpx
import pytest

from tests import support
from tests.servers import ServerLog, running_servers


@pytest.mark.slow
@pytest.mark.parametrize("cli", [False, True], ids=["uvicorn-factory", "cunjiang-serve"])
async def test_the_servers_output_holds_no_callback_secret_and_no_whole_phone(cli: bool) -> None:
    secret = f"callback-{secrets.token_hex(8)}"
    phone = support.new_phone()  # +86139…
    digits = phone.removeprefix("+86")
    with running_servers(1, log_level="info", cli=cli, CUNJIANG_SMS_CALLBACK_TOKEN=secret) as [url]:
        log = ServerLog.of(url)
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            pushed = await http.post(f"/sms/aliyun/up?token={secret}", json=[])
            await http.get("/api/v1/sms/simulator", params={"phone": phone})  # sent as %2B86…
            await http.get(f"/api/v1/sms/messages?phone={digits}&status=sent")  # as people type it
        await log.wait_for(re.compile(r"GET /api/v1/sms/messages\?"), since=0)  # the last request's line
        output = log.text()

    assert pushed.json()["code"] == 0  # the right secret: Aliyun's push was taken
    assert secret not in output
    assert digits not in output  # in none of its forms: +86…, %2B86…, bare
    masked = f"{digits[:3]}****{digits[-4:]}"
    assert "POST /sms/aliyun/up?token=*** " in output
    assert f"GET /api/v1/sms/simulator?phone=%2B86{masked} " in output
    assert f"GET /api/v1/sms/messages?phone={masked}&status=sent " in output
