"""Aliyun's pushes with bad items in them: every good item kept as usual, every bad one set
aside once with its reason (a dead letter), the push answered as a success; what brands see."""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.db.session import run, write_transaction
from backend.outbox import enqueue
from tests import support
from tests.support import CALLBACK_TOKEN, Person

UP, REPORT = "/sms/aliyun/up", "/sms/aliyun/report"
LIST = "/api/v1/sms/dead-letters"
RECEIVED = {"code": 0, "msg": "接收成功"}
_sequence_ids = itertools.count(10**12 + secrets.randbelow(10**9) * 1000)


def text_of(item: Any, *, ascii_only: bool = False) -> str:
    """An item as Aliyun would write it in the array."""
    return json.dumps(item, ensure_ascii=ascii_only)


async def push(client: httpx.AsyncClient, path: str, texts: list[str]) -> httpx.Response:
    """A push of these items, each written exactly as given."""
    body = ("[" + ",".join(texts) + "]").encode()
    return await client.post(
        path, params={"token": CALLBACK_TOKEN}, content=body, headers={"content-type": "application/json"}
    )


def reply(person: Person, content: str) -> dict[str, Any]:
    local = person.phone.removeprefix("+86")
    return {"phone_number": local, "content": content, "send_time": "2026-12-05 09:00:00", "dest_code": "1",
            "sequence_id": next(_sequence_ids)}  # fmt: skip


async def sent_message(phone: str, brand_id: int | None) -> tuple[int, str]:
    """A message Aliyun took: its id (our OutId) and Aliyun's id (BizId)."""
    async with write_transaction():
        message_id = await enqueue(phone, support.sms("新任务"), brand_id=brand_id)
    biz_id = f"{secrets.randbelow(10**12)}^{uuid.uuid4().hex[:8]}"
    await run(
        "UPDATE outbox_message SET status = 'sent', provider_sid = {}, reference = {} WHERE id = {}",
        biz_id,
        str(message_id),
        message_id,
    )
    return message_id, biz_id


def report(message: tuple[int, str], phone: str, *, success: bool) -> dict[str, Any]:
    message_id, biz_id = message
    return {"phone_number": phone.removeprefix("+86"), "success": success, "biz_id": biz_id,
            "out_id": str(message_id), "err_code": "DELIVERED" if success else "MK:0001", "err_msg": "",
            "sms_size": "1", "send_time": "2026-12-05 09:00:00", "report_time": "2026-12-05 09:00:05"}  # fmt: skip


async def set_aside(kind: str, text: str) -> list[dict[str, Any]]:
    """The dead letters of this item (as written in the push)."""
    return await run("SELECT reason, brand FROM sms_dead_letter WHERE kind = {} AND item = {}", kind, text)


async def status_of(message_id: int) -> str:
    [row] = await run("SELECT status FROM outbox_message WHERE id = {}", message_id)
    return str(row["status"])


async def listed(client: httpx.AsyncClient, who: Person, cursor: str | None = None) -> dict[str, Any]:
    params = {"cursor": cursor} if cursor else {}
    return dict(await support.ok(await client.get(LIST, params=params, headers=who.auth)))


async def test_a_bad_reply_between_two_good_ones_costs_neither_and_is_set_aside_once(
    client: httpx.AsyncClient, callback_token: str
) -> None:
    brand = await support.brand()
    first, second = await support.artisan(brand, sms_only=True), await support.artisan(brand, sms_only=True)
    jobs = [await support.job_in_state(client, brand, who, "offered", quantity=3) for who in (first, second)]
    bad = {"phone_number": first.phone[3:], "content": "接", "send_time": "2026-12-05 09:00:00"}  # no sequence_id
    batch = [text_of(reply(first, "接")), text_of(bad), text_of(reply(second, "接"))]

    answers = [await push(client, UP, batch) for _ in range(2)]  # Aliyun repeats a push

    assert [(a.status_code, a.json()) for a in answers] == [(200, RECEIVED)] * 2
    for work in jobs:
        job = await run("SELECT status, quantity_accepted FROM job WHERE id = {}", work.job_id)
        assert job == [{"status": "accepted", "quantity_accepted": 3}]
    for who in (first, second):
        stored = await run("SELECT id FROM sms_inbox WHERE provider = 'aliyun' AND from_phone = {}", who.phone[3:])
        answered = await run("SELECT kind FROM outbox_message WHERE to_phone = {} AND answers", who.phone)
        assert (len(stored), answered) == (1, [{"kind": "offer_accepted"}])
    assert await set_aside("up", text_of(bad)) == [{"reason": "missing_field", "brand": brand.id}]


async def test_a_bad_report_between_two_good_ones_costs_neither_and_is_set_aside_once(
    client: httpx.AsyncClient, callback_token: str
) -> None:
    brand = await support.brand()
    villager, stranger = await support.artisan(brand, sms_only=True), support.new_phone()
    delivered, spoiled, undelivered = [
        await sent_message(phone, brand.id) for phone in (villager.phone, stranger, villager.phone)
    ]
    bad = report(spoiled, stranger, success=True) | {"success": "perhaps"}
    batch = [
        text_of(report(delivered, villager.phone, success=True)),
        text_of(bad),
        text_of(report(undelivered, villager.phone, success=False)),
    ]

    answers = [await push(client, REPORT, batch) for _ in range(2)]

    assert [(a.status_code, a.json()) for a in answers] == [(200, RECEIVED)] * 2
    statuses = [await status_of(message[0]) for message in (delivered, spoiled, undelivered)]
    assert statuses == ["delivered", "sent", "undelivered"]
    # not one of the brand's people, but the report names one of the brand's messages
    assert await set_aside("report", text_of(bad)) == [{"reason": "invalid_field", "brand": brand.id}]


async def test_a_bad_report_from_a_batch_belongs_to_the_brand_of_its_own_message(
    client: httpx.AsyncClient, callback_token: str
) -> None:
    first_brand, second_brand = await support.brand(), await support.brand()
    first, second = support.new_phone(), support.new_phone()  # numbers neither brand has as people
    batch = await sent_message(first, first_brand.id)  # one SendBatchSms: the first message's id is the OutId
    second_id, _ = await sent_message(second, second_brand.id)
    await run(
        "UPDATE outbox_message SET provider_sid = {}, reference = {} WHERE id = {}", batch[1], str(batch[0]), second_id
    )
    bad = report(batch, second, success=True) | {"success": "perhaps"}

    await push(client, REPORT, [text_of(bad)])

    assert await set_aside("report", text_of(bad)) == [{"reason": "invalid_field", "brand": second_brand.id}]


async def test_a_report_that_matches_no_message_of_ours_is_set_aside_not_dropped(
    client: httpx.AsyncClient, callback_token: str
) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    unknown = report((2_000_000_000, "no-such-biz-id"), villager.phone, success=True)

    answer = await push(client, REPORT, [text_of(unknown)])

    assert answer.json() == RECEIVED
    assert await set_aside("report", text_of(unknown)) == [{"reason": "unknown_message", "brand": brand.id}]


async def test_each_brand_sees_only_its_own_dead_letters_with_other_numbers_masked_and_codes_hidden(
    client: httpx.AsyncClient, callback_token: str
) -> None:
    ours, theirs = await support.brand(), await support.brand()
    villager, other = await support.artisan(ours, sms_only=True), await support.artisan(theirs, sms_only=True)
    stranger = support.new_phone()
    message = await sent_message(stranger, ours.id)
    unattributed = (await listed(client, ours.coordinator))["unattributed"]
    mine = reply(villager, "验证码654321") | {"sequence_id": " "}
    others = reply(other, "接") | {"sequence_id": "x" * 65}
    nobodys = {"phone_number": support.new_phone()[3:], "content": "你好"}
    long_biz_id = report(message, stranger, success=True) | {"biz_id": "9" * 65}

    await push(client, UP, [text_of(mine), text_of(others), text_of(nobodys), "42"])
    await push(client, REPORT, [text_of(long_biz_id)])

    seen = await listed(client, ours.coordinator)
    assert [(d["kind"], d["reason"]) for d in seen["dead_letters"]] == [("report", "invalid_id"), ("up", "invalid_id")]
    assert seen["unattributed"] == unattributed + 2  # nobody's reply and the bare number
    shown_report, shown_reply = (d["item"] for d in seen["dead_letters"])
    assert f'"{villager.phone[3:]}"' in shown_reply  # one of the brand's own people
    assert "654321" not in shown_reply
    assert "验证码******" in shown_reply
    assert stranger[3:] not in shown_report
    assert f'"{stranger[3:6]}****{stranger[-4:]}"' in shown_report
    assert seen["dead_letters"][1]["reason_text"] == "这条推送的编号无法保存。"
    theirs_seen = await listed(client, theirs.coordinator)
    assert [d["item"] for d in theirs_seen["dead_letters"]] == [text_of(others)]
    refused = await client.get(LIST, headers=villager.auth)
    assert refused.status_code == 403


async def test_dead_letters_come_newest_first_a_page_at_a_time(client: httpx.AsyncClient, callback_token: str) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    bad = [text_of({"phone_number": villager.phone[3:], "content": f"第{n}条"}) for n in range(51)]

    await push(client, UP, bad)

    first = await listed(client, brand.coordinator)
    rest = await listed(client, brand.coordinator, first["cursor"])
    assert [d["item"] for d in first["dead_letters"] + rest["dead_letters"]] == bad[::-1]
    assert (len(first["dead_letters"]), rest["cursor"]) == (50, None)


async def test_an_item_that_is_not_utf8_is_set_aside_with_its_bytes_escaped(
    client: httpx.AsyncClient, callback_token: str
) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    good = text_of(reply(villager, "0")).encode()
    bad = b'{"phone_number": "%s", "content": "\xff\xfe", "sequence_id": 1}' % villager.phone[3:].encode()

    answer = await client.post(
        UP, params={"token": CALLBACK_TOKEN}, content=b"[" + good + b"," + bad + b"]",
        headers={"content-type": "application/json"},
    )  # fmt: skip

    assert answer.json() == RECEIVED
    shown = bad.decode("utf-8", "backslashreplace")
    assert await set_aside("up", shown) == [{"reason": "unreadable_json", "brand": brand.id}]
    assert await run("SELECT body FROM sms_inbox WHERE from_phone = {}", villager.phone[3:]) == [{"body": "0"}]


async def test_a_body_that_is_not_a_json_array_is_refused_and_a_wrong_token_before_the_body_is_read(
    client: httpx.AsyncClient, callback_token: str
) -> None:
    [before] = await run("SELECT COUNT(*) AS n FROM sms_dead_letter")
    bodies = [b"not json", b'{"phone_number": "13800138000", "sequence_id": 1}', b"", b"[1,", b'"[]"']

    for path in (UP, REPORT):
        for body in bodies:
            wrong = await client.post(path, params={"token": "guess"}, content=body)
            right = await client.post(path, params={"token": CALLBACK_TOKEN}, content=body)
            assert (wrong.status_code, right.status_code) == (403, 400), (path, body)
            assert right.json()["code"] == "invalid_request"

    assert await run("SELECT COUNT(*) AS n FROM sms_dead_letter") == [before]


# ---------------------------------------------------------------------------------------------
# Hostile items: whatever the items of an array are, the push succeeds and each item is kept.

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
# Replies from numbers no brand has (each is told once a day that it is not registered).
STRANGERS = [f"1700000{n:04d}" for n in range(5)]
REPLY_FIELDS = st.fixed_dictionaries(
    {
        "phone_number": st.sampled_from(STRANGERS),
        "content": st.text(max_size=20),
        "sequence_id": st.integers(10**15, 10**15 + 10**6) | st.text(min_size=1, max_size=12).map("hyp-".__add__),
        "send_time": st.just("2026-12-05 09:00:00"),
        "dest_code": st.text(max_size=4),
    }
)
REPORT_KEYS = ["phone_number", "success", "biz_id", "out_id", "err_code", "sms_size"]
# A report of a real message, as it is or with one field left out or replaced by any JSON value.
CHANGES = st.none() | st.tuples(st.sampled_from(REPORT_KEYS)) | st.tuples(st.sampled_from(REPORT_KEYS), JSON)


def spoiled(item: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """The item, or the item with one field left out or replaced by any JSON value."""
    keys = sorted(item)
    dropped = st.sampled_from(keys).map(lambda key: {k: v for k, v in item.items() if k != key})
    replaced = st.tuples(st.sampled_from(keys), JSON).map(lambda change: item | {change[0]: change[1]})
    return st.one_of(st.just(item), dropped, replaced)


def changed(item: dict[str, Any], change: tuple[Any, ...] | None) -> dict[str, Any]:
    if change is None:
        return item
    if len(change) == 1:
        return {key: value for key, value in item.items() if key != change[0]}
    return item | {change[0]: change[1]}


async def for_examples(strategy: st.SearchStrategy[Any], check: Callable[[Any], Awaitable[None]]) -> None:
    """``check`` each example of ``strategy`` on this test's event loop (where the app and the
    database connections live), while hypothesis draws and shrinks in a thread of its own."""
    loop = asyncio.get_running_loop()

    @settings(max_examples=30, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def each(example: Any) -> None:
        asyncio.run_coroutine_threadsafe(check(example), loop).result()

    await asyncio.to_thread(each)


async def is_stored_reply(item: Any) -> bool:
    if not isinstance(item, dict):
        return False
    phone, content, sequence_id = item.get("phone_number"), item.get("content", ""), item.get("sequence_id")
    if not isinstance(phone, str) or not isinstance(content, str):
        return False
    ids = {str(sequence_id)}
    if isinstance(sequence_id, float) and sequence_id.is_integer():
        ids.add(str(int(sequence_id)))  # read leniently, as everywhere: 5.0 is 5
    rows = await run(
        "SELECT provider_id FROM sms_inbox WHERE provider = 'aliyun' AND from_phone = {} AND body = {}", phone, content
    )
    return any(row["provider_id"] in ids for row in rows)


async def test_any_items_in_a_reply_push_are_answered_with_success_and_each_is_stored_or_set_aside(
    client: httpx.AsyncClient, callback_token: str
) -> None:
    items = st.tuples(st.one_of(REPLY_FIELDS.flatmap(spoiled), JSON), st.booleans())

    async def check(batch: list[tuple[Any, bool]]) -> None:
        texts = [text_of(item, ascii_only=ascii_only) for item, ascii_only in batch]
        answer = await push(client, UP, texts)
        assert (answer.status_code, answer.json()) == (200, RECEIVED), answer.text
        for (item, _), text in zip(batch, texts, strict=True):
            assert await set_aside("up", text) or await is_stored_reply(item), text

    await for_examples(st.lists(items, max_size=5), check)


async def test_any_items_in_a_report_push_are_answered_with_success_and_each_is_applied_or_set_aside(
    client: httpx.AsyncClient, callback_token: str
) -> None:
    spec = st.one_of(st.tuples(st.just("report"), st.booleans(), CHANGES), st.tuples(st.just("any"), JSON))

    async def check(batch: list[tuple[Any, ...]]) -> None:
        texts, messages = [], []
        for kind, *values in batch:
            if kind == "any":
                texts.append(text_of(values[0]))
                messages.append(None)
                continue
            success, change = values
            phone = support.new_phone()
            message = await sent_message(phone, None)
            texts.append(text_of(changed(report(message, phone, success=success), change), ascii_only=True))
            messages.append(message[0])
        answer = await push(client, REPORT, texts)
        assert (answer.status_code, answer.json()) == (200, RECEIVED), answer.text
        for text, message_id in zip(texts, messages, strict=True):
            applied = message_id is not None and await status_of(message_id) != "sent"
            assert applied or await set_aside("report", text), text

    await for_examples(st.lists(spec, max_size=5), check)
