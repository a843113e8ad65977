"""Browser tests: Debian's headless Chromium, driven by Playwright, against a real server.

They run in the SQLite lane (the pages are the same on both engines). Without Chromium
they are skipped, except in CI (``CI=true``), where the browser lane is required.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.conftest import LANE
from tests.servers import running_servers

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# A deadline, not a wait: an expectation ends the moment it holds. On a loaded machine (two
# cores for the server, its worker, Chromium and the test) one round can take seconds.
expect.set_options(timeout=20_000)


def _is_browser_test(item: pytest.Item) -> bool:
    return "tests/e2e/" in str(item.path).replace(os.sep, "/")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Last: their server's worker delivers and expires in the background, which other
    # tests' exact expectations about the outbox must not meet.
    items.sort(key=_is_browser_test)
    for item in items:
        if _is_browser_test(item):
            item.add_marker(pytest.mark.browser)
            if LANE != "sqlite":
                item.add_marker(pytest.mark.skip(reason="browser tests run in the SQLite lane"))
            elif not Path(CHROMIUM).exists():
                if os.environ.get("CI") == "true":
                    raise pytest.UsageError(f"CI needs Chromium for the browser lane, not found at {CHROMIUM}")
                item.add_marker(pytest.mark.skip(reason="no Chromium (apt-get install -y chromium)"))


@pytest.fixture(scope="module")
def server(database: None) -> Iterator[str]:
    """A server process on the test database, with its in-process worker, for one module."""
    with running_servers(1) as [url]:
        yield url


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        await launched.close()


@contextlib.asynccontextmanager
async def _watched(browser: Browser, server: str, **options: Any) -> AsyncIterator[Page]:
    """A page in a browser profile of its own; a script error or a refusal by the page's own
    security policy is a bug, wherever it shows, and fails the test."""
    context = await browser.new_context(base_url=server, locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    opened = await context.new_page()
    faults: list[str] = []
    opened.on("pageerror", lambda error: faults.append(f"uncaught: {error}"))
    opened.on("console", lambda message: "Content Security Policy" in message.text and faults.append(message.text))
    yield opened
    await context.close()
    assert not faults, faults


@pytest.fixture
async def page(browser: Browser, server: str) -> AsyncIterator[Page]:
    async with _watched(browser, server, viewport={"width": 1200, "height": 800}) as opened:
        yield opened


@pytest.fixture
async def phone(browser: Browser, server: str) -> AsyncIterator[Page]:
    """The artisan's phone: a browser profile of its own beside the coordinator's (``page``)."""
    async with _watched(browser, server) as opened:
        yield opened
