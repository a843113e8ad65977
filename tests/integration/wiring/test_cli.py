"""The ``cunjiang`` command line, run as a user would, against the test database."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx

from tests import support

ROOT = Path(__file__).resolve().parents[3]


def cunjiang(*args: str, lang: str = "zh_CN.UTF-8") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args],
        cwd=ROOT,
        env=os.environ | {"LANG": lang},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_brand_user_and_token_commands_give_a_working_token(client: httpx.AsyncClient) -> None:
    slug = f"cli-{support.new_phone()[-6:]}"
    brand = cunjiang("brand", "add", slug, "苗绣合作社")
    assert brand.returncode == 0, brand.stderr
    phone = support.new_phone()
    local = phone.removeprefix("+86")
    user = cunjiang("user", "add", "--brand", slug, "--role", "coordinator", "--phone", local, "--name", "陈")
    assert user.returncode == 0, user.stderr
    member_id = int(user.stdout.strip())
    token = cunjiang("token", phone)
    assert token.returncode == 0, token.stderr

    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.stdout.strip()}"})
    assert me.json()["id"] == member_id
    assert me.json()["brand"]["slug"] == slug


def test_unknown_brand_is_a_clear_error() -> None:
    result = cunjiang(
        "user",
        "add",
        "--brand",
        "no-such-brand",
        "--role",
        "artisan",
        "--phone",
        "13800138000",
        "--name",
        "x",
        lang="en_US.UTF-8",
    )
    assert result.returncode == 2
    assert "no-such-brand" in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_phone_is_a_clear_error() -> None:
    slug = f"cli-{support.new_phone()[-6:]}"
    assert cunjiang("brand", "add", slug, "x").returncode == 0
    result = cunjiang("user", "add", "--brand", slug, "--role", "coordinator", "--phone", "12345", "--name", "x")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "phone" in result.stderr


def test_bad_role_is_refused_by_the_parser() -> None:
    result = cunjiang("user", "add", "--brand", "x", "--role", "boss", "--phone", "13800138000", "--name", "x")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_migrate_is_idempotent() -> None:
    result = cunjiang("migrate")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


async def test_the_worker_command_delivers_queued_messages(client: httpx.AsyncClient) -> None:
    from backend.db.session import write_transaction
    from backend.gateways import ConsoleGateway
    from backend.outbox import enqueue
    from backend.outbox.tables import OutboxMessage

    await support.drain(ConsoleGateway())  # what earlier tests queued goes first; the worker paces its sends
    async with write_transaction():
        message_id = await enqueue(support.new_phone(), support.sms("worker test"))
    worker = subprocess.Popen(  # noqa: ASYNC220 - started once, then polled without blocking
        [sys.executable, "-m", "backend.cli", "worker"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            row = await OutboxMessage.select(OutboxMessage.status).where(OutboxMessage.id == message_id).first()
            if row == {"status": "sent"}:
                break
            await asyncio.sleep(0.05)
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    assert row == {"status": "sent"}


def test_sms_check_passes_on_the_shipped_flows_and_messages() -> None:
    result = cunjiang("sms", "check")
    assert result.returncode == 0, result.stderr
    assert "every flow and every message is valid" in result.stderr


def test_sms_check_names_the_file_line_and_step_of_a_broken_flow(tmp_path: Path) -> None:
    flows = tmp_path / "sms_flows"
    shutil.copytree(ROOT / "sms_flows", flows)
    offer = flows / "offer.toml"
    offer.write_text(offer.read_text().replace('yes = "accept"', 'yes = "acept"'))

    result = cunjiang("sms", "check", "--flows", str(flows))

    assert result.returncode == 1
    assert "offer.toml:" in result.stderr
    assert "step 'ask': reply 'yes' leads to 'acept', which is not a step" in result.stderr


def test_sms_templates_prints_the_sheet_to_register_as_toml() -> None:
    result = cunjiang("sms", "templates")
    assert result.returncode == 0
    sheet = tomllib.loads(result.stdout)
    assert sheet["offer"]["zh_Hans"]["code"] == ""
    assert "${quantity}" in sheet["offer"]["zh_Hans"]["text"]


def test_voice_templates_prints_the_prompts_to_register_as_tts_templates() -> None:
    result = cunjiang("voice", "templates")
    assert result.returncode == 0
    sheet = tomllib.loads(result.stdout)
    assert {"offer_call", "payout_call", "invitation_call", "story_call", "call_answered"} <= set(sheet)
    assert sheet["offer_call"]["en"]["code"] == ""
    assert "${quantity}" in sheet["offer_call"]["zh_Hans"]["text"]
    assert "按1" in sheet["offer_call"]["zh_Hans"]["text"]


async def test_the_dead_letters_command_prints_every_item_set_aside_with_its_reason(
    client: httpx.AsyncClient, callback_token: str
) -> None:
    phone = support.new_phone()  # nobody's: an item no brand sees, which only an operator can read
    bad = json.dumps({"phone_number": phone[3:], "content": "你好"}, ensure_ascii=False, indent=1)  # on 4 lines
    pushed = await client.post(
        "/sms/aliyun/up",
        params={"token": callback_token},
        content=f"[{bad}]",
        headers={"content-type": "application/json"},
    )
    assert pushed.json() == {"code": 0, "msg": "接收成功"}

    result = cunjiang("sms", "dead-letters", lang="en_US.UTF-8")

    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stdout.splitlines() if phone[3:] in line]
    _id, _when, source, brand, reason, item = line.split("\t")
    assert (source, brand) == ("aliyun/up", "-")
    assert reason == "missing_field: Object missing required field `sequence_id`"
    assert item == bad.replace("\n", "\\n")  # as it came, unmasked, on one line
    assert "Pushed items that could not be read:" in result.stderr
