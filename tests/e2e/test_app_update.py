"""A new version of the app is offered, never forced: the service worker's version comes from
the files' content, the page shows "update ready", and only a tap switches to it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from backend.http.pages import PWA_DIR
from tests.e2e.pages import AppPage
from tests.servers import running_servers


@pytest.fixture(scope="module")
def served(database: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A server of a copy of the app's files, which the test changes as a new release would."""
    copy = tmp_path_factory.mktemp("release") / "pwa"
    shutil.copytree(PWA_DIR, copy, ignore=shutil.ignore_patterns("node_modules"))  # the checks' tooling
    with running_servers(1, CUNJIANG_PWA_DIR=str(copy)) as [url]:
        yield url, copy


@pytest.fixture
def server(served: tuple[str, Path]) -> str:
    return served[0]


async def _shell_caches(page: Page) -> list[str]:
    names: list[str] = await page.evaluate("caches.keys()")
    return sorted(name for name in names if name.startswith("shell-"))


async def test_a_changed_file_is_offered_as_an_update_and_used_only_when_asked(
    page: Page, served: tuple[str, Path]
) -> None:
    _url, release = served
    app = AppPage(page)
    await page.goto("/")
    await app.worker_ready()
    [before] = await _shell_caches(page)
    update = page.locator("[data-update]")
    await expect(update).to_be_hidden()

    stylesheet = release / "styles" / "app.css"
    stylesheet.write_text(stylesheet.read_text(encoding="utf-8") + "\n/* release 2 */\n", encoding="utf-8")
    await page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")

    await expect(update.locator("[data-action=update]")).to_be_visible()
    assert await _shell_caches(page) != [before]  # the new version is cached beside the old one…
    assert await page.evaluate("getComputedStyle(document.body).margin") == "0px"  # …and the page goes on
    async with page.expect_event("load"):
        await update.locator("[data-action=update]").click()
    await page.wait_for_function("navigator.serviceWorker.controller !== null")
    [after] = await _shell_caches(page)
    assert after != before  # the old version's cache is gone
    css = await page.evaluate("fetch('/pwa/styles/app.css').then((r) => r.text())")
    assert "release 2" in css
