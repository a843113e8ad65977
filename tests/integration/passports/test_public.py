"""The public page and its signed JSON: only what the maker allowed, never the never list, a
revocation at once, 404 for a wrong id and 410 for a withdrawn passport, signatures a buyer's
tool verifies."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import secrets
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from backend.core.china_time import china_today
from backend.core.types import Role
from backend.db.session import run
from tests import support
from tests.integration.passports.helpers import API, approved, consent
from tests.support import Brand, Person, ok, refused

PRICE_FEN = 98765  # per piece; the payout is 3 × this: neither may show anywhere
NEVER_AMOUNTS = ("98765", "987.65", "296295", "2962.95", "2,962.95")


@dataclass
class Scene:
    """A passport whose maker has a phone, a payout, another piece and a neighbour on the order."""

    brand: Brand
    maker: Person
    passport_id: str
    maker_name: str
    village: str
    never: tuple[str, ...]


async def scene(client: httpx.AsyncClient) -> Scene:
    b = await support.brand()
    maker = await support.artisan(b)
    pattern = await support.upload_photo(client, b.coordinator, color=(10, 120, 200))
    order = await support.open_order(
        client, b, title="蝴蝶妈妈围巾", unit_price_fen=PRICE_FEN, description="蝴蝶妈妈是苗族的始祖。\n纹样来自古歌。",
        photo_ids=[pattern],
    )  # fmt: skip
    work = await support.job_in_state(client, b, maker, "confirmed", order_id=order["id"], quantity=3)
    passport_id = (await run("SELECT id FROM passport WHERE submission = {}", work.submission_id))[0]["id"]
    # Her other piece, and a neighbour on the same order who agreed to be named.
    other_work, other_passport = await approved(client, b, maker, title="另一件作品Z9")
    neighbour = await support.person(b.id, Role.ARTISAN, village_id=b.villages[0], crafts=["embroidery"])
    await run("UPDATE member SET name = {} WHERE id = {}", "邻居龙阿妹", neighbour.id)
    await consent(client, neighbour, name=True, village=True, photo=True)
    await support.job_in_state(client, b, neighbour, "approved", order_id=order["id"], quantity=2)
    [row] = await run("SELECT name FROM member WHERE id = {}", maker.id)
    national = maker.phone.removeprefix("+86")
    never = (
        maker.phone, national, f"{national[:3]} {national[3:7]} {national[7:]}", neighbour.phone,
        *NEVER_AMOUNTS, "WX-1", "另一件作品Z9", other_passport, f"/photos/{other_work.photo_id}", "邻居龙阿妹",
        "GPS", "latitude",
    )  # fmt: skip
    return Scene(b, maker, passport_id, row["name"], "村0", never)


async def public(client: httpx.AsyncClient, passport_id: str, lang: str = "zh_Hans") -> tuple[httpx.Response, Any]:
    page = await client.get(f"/p/{passport_id}?lang={lang}")
    signed = await client.get(f"/p/{passport_id}.json")
    return page, signed.json()


CONSENTS = [
    {"name": name, "display_name": display, "photo": photo, "village": village, "story": story}
    for name, display, photo, village, story in itertools.product(
        (False, True), (None, "绣娘阿花"), (False, True), (False, True), (False, True)
    )
]
consents = st.fixed_dictionaries(
    {
        "name": st.booleans(),
        "display_name": st.one_of(st.none(), st.text("朵蕊婵", min_size=1, max_size=4).map(lambda rest: "阿" + rest)),
        "photo": st.booleans(),
        "village": st.booleans(),
        "story": st.booleans(),
    }
)


def _examples(test: Any) -> Any:
    for wanted in CONSENTS:  # every combination, whatever else hypothesis draws
        test = example(wanted)(test)
    return test


async def test_the_page_and_json_show_what_she_allowed_and_never_the_never_list(client: httpx.AsyncClient) -> None:
    s = await scene(client)
    loop = asyncio.get_running_loop()

    async def check(wanted: dict[str, Any]) -> None:
        await consent(client, s.maker, **wanted)
        for lang in ("zh_Hans", "en"):
            page, signed = await public(client, s.passport_id, lang)
            assert page.status_code == 200, page.text
            text = page.text + json.dumps(signed, ensure_ascii=False)
            for secret in s.never:
                assert secret not in text, (wanted, secret)
            _assert_allowed(s, wanted, page, signed["facts"])

    @settings(max_examples=40, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(consents)
    @_examples
    def each(wanted: dict[str, Any]) -> None:
        asyncio.run_coroutine_threadsafe(check(wanted), loop).result()

    await asyncio.to_thread(each)


def _assert_allowed(s: Scene, wanted: dict[str, Any], page: httpx.Response, facts: dict[str, Any]) -> None:
    shown = (wanted["display_name"] or s.maker_name) if wanted["name"] else None
    assert facts["maker"] == {"named": wanted["name"], "name": shown, "words": None}  # no words approved
    if shown:
        assert shown in page.text
        assert "noindex" not in page.text
        assert "x-robots-tag" not in page.headers
    else:
        assert s.maker_name not in page.text
        assert wanted["display_name"] is None or wanted["display_name"] not in page.text
        assert "The maker chose not to be named." in page.text or "制作者选择不公开姓名。" in page.text
        assert '<meta name="robots" content="noindex">' in page.text
        assert page.headers["x-robots-tag"] == "noindex"
    assert (facts["village"] == s.village) is wanted["village"]
    assert (s.village in page.text) is wanted["village"]
    assert (facts["work_photo"] is not None) is wanted["photo"]
    assert (f"/p/{s.passport_id}/work" in page.text) is wanted["photo"]
    assert (facts["county"], facts["province"]) == ("雷山县", "贵州省")
    assert "雷山县" in page.text
    assert facts["product"] == "蝴蝶妈妈围巾"
    assert "蝴蝶妈妈是苗族的始祖。<br>纹样来自古歌。" in page.text
    assert facts["pattern_photo"] == f"http://testserver.local/p/{s.passport_id}/pattern"
    assert facts["paid_confirmed_month"] is not None
    assert page.headers["cache-control"] == "no-store"
    assert "<script" not in page.text
    assert len(page.content) < 8 * 1024


async def test_the_page_names_the_craft_month_and_payment_in_the_chosen_language(client: httpx.AsyncClient) -> None:
    s = await scene(client)
    await consent(client, s.maker, name=True)
    zh, _signed = await public(client, s.passport_id, "zh_Hans")
    en, _signed = await public(client, s.passport_id, "en")

    month = china_today()
    assert '<html lang="zh-CN">' in zh.text
    assert "刺绣" in zh.text
    assert f"{month.year}年{month.month}月" in zh.text
    assert "制作者确认已收到工钱" in zh.text
    assert '<html lang="en">' in en.text
    assert "Embroidery" in en.text
    assert month.strftime("%B %Y") in en.text
    assert "The maker confirmed she was paid" in en.text


async def test_a_revocation_shows_at_once(client: httpx.AsyncClient) -> None:
    s = await scene(client)
    await consent(client, s.maker, name=True, photo=True, village=True)
    before, _ = await public(client, s.passport_id)
    assert s.maker_name in before.text
    assert (await client.get(f"/p/{s.passport_id}/work")).status_code == 200

    await consent(client, s.maker)
    after, signed = await public(client, s.passport_id)

    assert s.maker_name not in after.text
    assert s.village not in after.text
    assert signed["facts"]["maker"] == {"named": False, "name": None, "words": None}
    assert (await client.get(f"/p/{s.passport_id}/work")).status_code == 404


async def test_her_own_words_show_once_she_approved_them_and_only_while_she_lets_them(
    client: httpx.AsyncClient,
) -> None:
    s = await scene(client)
    words = "我十岁跟奶奶学绣花，这条围巾绣了七天。"
    proposed = await client.post(
        f"{API}/members/{s.maker.id}/story", json={"text": words}, headers=s.brand.coordinator.auth
    )
    await ok(proposed, 201)
    await consent(client, s.maker, story=True)
    waiting, _ = await public(client, s.passport_id)
    await ok(await client.post(f"{API}/me/story", json={"decision": "approve"}, headers=s.maker.auth))
    shown, signed = await public(client, s.passport_id)
    await consent(client, s.maker)
    hidden, unsigned = await public(client, s.passport_id)

    assert words not in waiting.text  # proposed is not approved
    assert words in shown.text
    assert signed["facts"]["maker"]["words"] == words
    assert words not in hidden.text
    assert unsigned["facts"]["maker"]["words"] is None


async def test_photos_are_served_only_as_the_page_shows_them(client: httpx.AsyncClient) -> None:
    s = await scene(client)
    pattern = await client.get(f"/p/{s.passport_id}/pattern")
    assert pattern.status_code == 200
    assert pattern.headers["content-type"] == "image/jpeg"
    assert (pattern.headers["cache-control"], pattern.headers["x-robots-tag"]) == ("no-store", "noindex")
    assert (await client.get(f"/p/{s.passport_id}/work")).status_code == 404  # no photo consent
    assert (await client.get(f"/p/{s.passport_id}/other")).status_code in (400, 404)
    assert (await client.get(f"/p/{secrets.token_urlsafe(16)}/pattern")).status_code == 404


async def test_payment_shows_only_once_she_confirmed_it(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    for state, shown in (("approved", False), ("paid", False), ("confirmed", True)):
        _work, passport_id = await approved(client, b, await support.artisan(b), state)
        page, signed = await public(client, passport_id, "en")
        assert ("confirmed she was paid" in page.text) is shown, state
        assert (signed["facts"]["paid_confirmed_month"] is not None) is shown, state


@pytest.mark.parametrize("wrong", ["abc", "A" * 22, secrets.token_urlsafe(16), "%E4%B8%AD" * 8])
async def test_a_wrong_id_is_a_404_page(client: httpx.AsyncClient, wrong: str) -> None:
    page = await client.get(f"/p/{wrong}")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["x-robots-tag"] == "noindex"
    refused(await client.get(f"/p/{wrong}.json"), 404, "not_found")


async def test_a_withdrawn_passport_is_a_410_notice_and_its_data_stays(client: httpx.AsyncClient) -> None:
    s = await scene(client)
    await consent(client, s.maker, name=True, photo=True)
    url = f"{API}/passports/{s.passport_id}/withdraw"
    await ok(await client.post(url, json={"reason": "颜色褪了"}, headers=s.brand.coordinator.auth))

    page, signed = await public(client, s.passport_id, "en")
    answer = await client.get(f"/p/{s.passport_id}.json")

    assert page.status_code == 410
    assert "withdrawn" in page.text
    assert s.maker_name not in page.text
    assert answer.status_code == 410
    assert signed["facts"]["status"] == "withdrawn"
    assert (await client.get(f"/p/{s.passport_id}/pattern")).status_code == 404
    [row] = await run("SELECT withdrawn_reason, submission FROM passport WHERE id = {}", s.passport_id)
    assert row["withdrawn_reason"] == "颜色褪了"


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


async def test_a_buyer_verifies_the_signature_and_one_changed_byte_fails_it(client: httpx.AsyncClient) -> None:
    s = await scene(client)
    await consent(client, s.maker, name=True, display_name="绣娘阿花")
    signed = (await client.get(f"/p/{s.passport_id}.json")).json()
    keys = (await client.get("/p/keys.json")).json()["keys"]

    [jwk] = [key for key in keys if key["kid"] == signed["kid"]]
    assert (jwk["kty"], jwk["crv"], signed["alg"]) == ("OKP", "Ed25519", "EdDSA")
    public_key = Ed25519PublicKey.from_public_bytes(_unb64(jwk["x"]))
    # What a buyer's tool rebuilds: sorted keys, no spaces, UTF-8.
    message = json.dumps(signed["facts"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    signature = _unb64(signed["signature"])
    public_key.verify(signature, message)
    assert signed["facts"]["maker"]["name"] == "绣娘阿花"

    flipped = bytearray(message)
    flipped[len(flipped) // 2] ^= 0x01
    with pytest.raises(InvalidSignature):
        public_key.verify(signature, bytes(flipped))
    bad_signature = bytearray(signature)
    bad_signature[0] ^= 0x01
    with pytest.raises(InvalidSignature):
        public_key.verify(bytes(bad_signature), message)


async def test_each_brand_signs_with_its_own_key(client: httpx.AsyncClient) -> None:
    a, b = await support.brand(), await support.brand()
    _w, first = await approved(client, a, await support.artisan(a))
    _w, second = await approved(client, a, await support.artisan(a))
    _w, third = await approved(client, b, await support.artisan(b))
    kids = [(await client.get(f"/p/{p}.json")).json()["kid"] for p in (first, second, third)]
    assert kids[0] == kids[1] != kids[2]


async def test_a_brands_first_signatures_at_once_make_one_key(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    passports = [(await approved(client, b, await support.artisan(b)))[1] for _ in range(3)]

    answers = await asyncio.gather(*(client.get(f"/p/{p}.json") for p in passports * 2))

    assert {answer.json()["kid"] for answer in answers} == {answers[0].json()["kid"]}
    assert len(await run("SELECT id FROM brand_key WHERE brand = {}", b.id)) == 1
