"""The pages: the app at /, its manifest, and a service worker whose cache list and version
come from the files themselves."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from backend.http import pages


async def test_the_app_page_is_served_with_its_security_headers(client: httpx.AsyncClient) -> None:
    answer = await client.get("/")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in answer.headers["content-security-policy"]
    assert 'rel="manifest"' in answer.text


async def test_the_manifest_makes_the_app_installable_with_icons_that_exist(client: httpx.AsyncClient) -> None:
    answer = await client.get("/manifest.webmanifest")
    manifest = json.loads(answer.content)
    assert answer.headers["content-type"].startswith("application/manifest+json")
    assert (manifest["start_url"], manifest["display"]) == ("/", "standalone")
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert (await client.get(icon["src"])).status_code == 200


async def test_the_service_worker_caches_every_shell_file_under_a_version_of_their_content(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/sw.js")
    source = answer.text
    shell = json.loads(source.split("const SHELL = ", 1)[1].split(";\n", 1)[0])

    assert answer.headers["content-type"].startswith("application/javascript")
    assert answer.headers["cache-control"] == "no-cache"
    assert "__VERSION__" not in source
    assert {"/", "/manifest.webmanifest", "/pwa/src/app.js", "/pwa/styles/app.css"} <= set(shell)
    assert not [path for path in shell if "console" in path]
    for path in shell:
        assert (await client.get(path)).status_code == 200, path


def test_a_changed_shell_file_is_a_new_version(monkeypatch: pytest.MonkeyPatch) -> None:
    before = pages.service_worker()
    original = pages.shell

    def changed() -> dict[str, Path]:
        files = original()
        return files | {"/pwa/src/app.js": pages.PWA_DIR / "src" / "api.js"}  # other bytes, same name

    monkeypatch.setattr(pages, "shell", changed)
    after = pages.service_worker()
    assert before.split('"', 2)[1] != after.split('"', 2)[1]  # the VERSION line
