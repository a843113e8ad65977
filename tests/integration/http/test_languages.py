"""Answers in the caller's language: an error in Chinese by default and in English when asked,
and the catalog the PWA fetches, cached by its ETag."""

from __future__ import annotations

import httpx

from backend.core.i18n import catalog_json


async def test_the_same_request_answers_in_chinese_by_default_and_in_english_when_asked(
    client: httpx.AsyncClient,
) -> None:
    chinese = await client.get("/api/v1/me")
    english = await client.get("/api/v1/me", headers={"Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"})
    assert (chinese.status_code, english.status_code) == (401, 401)
    assert chinese.json() == {"code": "unauthorized", "message": "请先登录。"}
    assert english.json() == {"code": "unauthorized", "message": "Please sign in."}


async def test_the_catalog_route_answers_with_an_etag_then_304_and_404_for_an_unknown_language(
    client: httpx.AsyncClient,
) -> None:
    first = await client.get("/api/v1/i18n/zh_Hans")
    assert first.status_code == 200
    assert first.json() == catalog_json("zh_Hans")
    again = await client.get("/api/v1/i18n/zh_Hans", headers={"If-None-Match": first.headers["etag"]})
    assert (again.status_code, again.content) == (304, b"")
    assert (await client.get("/api/v1/i18n/en")).status_code == 200
    unknown = await client.get("/api/v1/i18n/xx")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "not_found"
