"""What the artisan's phone pays for on 2G (issue 16 budgets, measured by bench/bench_pwa.py):
the app's files compressed once in the best coding the browser takes, 304 to a browser that
has them, the data it reads again answered 304 when unchanged, no compression of pictures."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path, PurePosixPath

import brotli
import httpx
import pytest
from PIL import Image

from backend.http import pages
from tests import support

SHELL_FILES = [
    "/",
    "/manifest.webmanifest",
    "/sw.js",
    "/pwa/src/app.js",
    "/pwa/src/views/jobs.js",
    "/pwa/styles/app.css",
]
BROWSER = "gzip, deflate, br, zstd"  # what Chromium asks for


def on_disk(path: str) -> bytes:
    if path == "/sw.js":
        return pages.service_worker().encode()
    return pages.shell()[path].read_bytes()


async def raw(client: httpx.AsyncClient, path: str, **headers: str) -> tuple[httpx.Response, bytes]:
    """The answer and its body as sent (httpx would decode it)."""
    async with client.stream("GET", path, headers=headers) as answer:
        return answer, b"".join([part async for part in answer.aiter_raw()])


@pytest.mark.parametrize("path", SHELL_FILES)
async def test_shell_files_are_sent_in_brotli_to_a_browser_that_takes_it_and_decode_to_the_file(
    client: httpx.AsyncClient, path: str
) -> None:
    answer, body = await raw(client, path, **{"Accept-Encoding": BROWSER})

    assert answer.status_code == 200
    assert answer.headers["content-encoding"] == "br"
    assert "Accept-Encoding" in answer.headers["vary"]
    assert answer.headers["cache-control"] == "no-cache"
    assert brotli.decompress(body) == on_disk(path)
    assert len(body) < len(on_disk(path)) * 0.75


@pytest.mark.parametrize("path", SHELL_FILES)
async def test_shell_files_fall_back_to_gzip_then_to_none(client: httpx.AsyncClient, path: str) -> None:
    zipped, zipped_body = await raw(client, path, **{"Accept-Encoding": "br;q=0, gzip"})
    plain, plain_body = await raw(client, path, **{"Accept-Encoding": "identity"})

    assert zipped.headers["content-encoding"] == "gzip"
    assert gzip.decompress(zipped_body) == on_disk(path)
    assert "content-encoding" not in plain.headers
    assert plain_body == on_disk(path)
    assert len({zipped.headers["etag"], plain.headers["etag"]}) == 2  # other bytes, another tag


@pytest.mark.parametrize("path", SHELL_FILES)
async def test_shell_files_answer_304_to_their_etag_with_no_body(client: httpx.AsyncClient, path: str) -> None:
    first = await client.get(path, headers={"Accept-Encoding": BROWSER})

    again = await client.get(path, headers={"Accept-Encoding": BROWSER, "If-None-Match": first.headers["etag"]})
    other_coding = await client.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["etag"]})

    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["cache-control"] == "no-cache"
    assert "content-security-policy" not in again.headers  # the browser keeps what it stored
    assert other_coding.status_code == 200


async def test_the_page_asks_for_every_shell_module_at_once(client: httpx.AsyncClient) -> None:
    """A Link header per module: the browser fetches them in parallel instead of one import
    level after another, a round trip each on 2G."""
    answer = await client.get("/")

    links = {part.split(">")[0].lstrip(" <") for part in answer.headers["link"].split(",")}
    modules = {url for url in pages.shell() if url.endswith(".js")}
    assert "/pwa/src/app.js" in modules
    assert links == modules
    assert all("rel=modulepreload" in part for part in answer.headers["link"].split(","))


async def test_the_shell_keeps_the_page_icon_but_not_the_install_icon(client: httpx.AsyncClient) -> None:
    shell = set(pages.shell())
    manifest = (await client.get("/manifest.webmanifest")).json()

    assert "/pwa/icons/icon-192.png" in shell
    assert "/pwa/icons/icon-512.png" not in shell  # fetched by the browser when installing
    for icon in manifest["icons"]:
        answer = await client.get(icon["src"], headers={"Accept-Encoding": BROWSER})
        width, height = map(int, icon["sizes"].split("x"))
        assert Image.open(io.BytesIO(answer.content)).size == (width, height)
        assert answer.headers["content-type"] == "image/png"


async def test_pwa_files_outside_the_folder_or_missing_answer_404(client: httpx.AsyncClient) -> None:
    for path in ["/pwa/../backend/app.py", "/pwa/%2e%2e/pyproject.toml", "/pwa/src/nothing.js", "/pwa/src"]:
        assert (await client.get(path)).status_code == 404, path


# The checks' tooling lives beside the app in pwa/ (make lint-js) and is never a browser's.
TOOLING = [
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    "tsconfig.sw.json",
    "eslint.config.js",
    "types/wire.d.ts",
    "node_modules/typescript/package.json",
    "node_modules/.package-lock.json",
    "src/node_modules/left-pad/index.js",
    "sw.js",  # the service worker's template: the worker itself is /sw.js
]


async def test_the_checks_tooling_beside_the_app_answers_404(
    client: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether or not `npm ci` ran here: a folder holding every such file, and the app's own."""
    for name in [*TOOLING, "index.html", "src/app.js", "src/views/jobs.js", "styles/app.css", "icons/icon-192.png"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"{}")
    monkeypatch.setattr(pages, "PWA_DIR", tmp_path)

    for name in TOOLING:
        assert (await client.get(f"/pwa/{name}")).status_code == 404, name
    for name in ["index.html", "src/app.js", "src/views/jobs.js", "styles/app.css", "icons/icon-192.png"]:
        assert (await client.get(f"/pwa/{name}")).status_code == 200, name


async def test_the_real_pwa_folder_serves_no_tooling_and_precaches_only_app_files(client: httpx.AsyncClient) -> None:
    for name in ["package.json", "package-lock.json", "tsconfig.json", "eslint.config.js", "types/wire.d.ts"]:
        assert (pages.PWA_DIR / name).is_file(), name  # they are there, and still not served
        assert (await client.get(f"/pwa/{name}")).status_code == 404, name
    assert (await client.get("/pwa/node_modules/typescript/package.json")).status_code == 404

    shell = [url for url in pages.shell() if url.startswith("/pwa/")]
    assert shell
    assert all(pages.is_app_file(PurePosixPath(url.removeprefix("/pwa/"))) for url in shell), shell


async def test_the_catalog_answers_304_with_its_etag_in_any_coding(client: httpx.AsyncClient) -> None:
    first = await client.get("/api/v1/i18n/zh_Hans", headers={"Accept-Encoding": BROWSER})

    again = await client.get(
        "/api/v1/i18n/zh_Hans", headers={"Accept-Encoding": BROWSER, "If-None-Match": first.headers["etag"]}
    )

    assert first.headers["content-encoding"] == "br"
    assert (again.status_code, again.content) == (304, b"")


async def test_the_artisans_app_gets_its_own_texts_without_the_consoles(client: httpx.AsyncClient) -> None:
    app = (await client.get("/api/v1/i18n/zh_Hans?part=app")).json()
    everything = (await client.get("/api/v1/i18n/zh_Hans")).json()
    wrong = await client.get("/api/v1/i18n/zh_Hans?part=console-and-more")

    assert app["Accept"] == everything["Accept"] == "接单"
    assert "Send offers" in everything
    assert "Send offers" not in app  # only the console shows it
    assert set(app) < set(everything)
    assert wrong.status_code == 400


@pytest.mark.parametrize(
    ("module", "exported"),
    [
        ("/pwa/src/on-demand/memberships.js", "export async function myBrands"),
        ("/pwa/src/on-demand/invitations.js", "export async function myInvitations"),
        ("/pwa/src/on-demand/calls.js", "export async function takeCalls"),
    ],
)
async def test_views_few_people_see_are_served_when_needed_but_neither_precached_nor_preloaded(
    client: httpx.AsyncClient, module: str, exported: str
) -> None:
    """My brands and an invitation's card cost nothing on a first visit: their modules are
    outside the shell (the service worker's precache list and the page's Link header)."""
    page = await client.get("/")
    worker = (await client.get("/sw.js")).text
    shell = json.loads(worker.split("const SHELL = ", 1)[1].split(";", 1)[0])
    served = await client.get(module, headers={"Accept-Encoding": BROWSER})

    assert served.status_code == 200
    assert exported in served.text
    assert "/pwa/src/app.js" in shell
    assert module not in shell
    assert "/on-demand/" not in page.headers["link"]


async def test_the_on_demand_views_texts_come_apart_from_the_apps(client: httpx.AsyncClient) -> None:
    app = (await client.get("/api/v1/i18n/zh_Hans?part=app")).json()
    on_demand = (await client.get("/api/v1/i18n/zh_Hans?part=on-demand")).json()

    assert on_demand["Yes, stop"] == "是的，不做了"
    assert on_demand["{brand} asks to work with you"] == "{brand}请您给它做活"
    assert "Yes, stop" not in app
    assert "{brand} asks to work with you" not in app
    assert app["My brands"] == "我的品牌"  # the button that opens it is the app's own
    assert "Send offers" not in on_demand


async def test_my_payouts_and_me_answer_304_until_a_payout_changes(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "paid")
    payouts = await client.get("/api/v1/payouts", headers=artisan.auth)
    me = await client.get("/api/v1/me", headers=artisan.auth)

    unchanged = await client.get("/api/v1/payouts", headers=artisan.auth | {"If-None-Match": payouts.headers["etag"]})
    me_again = await client.get("/api/v1/me", headers=artisan.auth | {"If-None-Match": me.headers["etag"]})
    await support.ok(await client.post(f"/api/v1/payouts/{work.payout_id}/confirm", headers=artisan.auth))
    changed = await client.get("/api/v1/payouts", headers=artisan.auth | {"If-None-Match": payouts.headers["etag"]})

    assert (unchanged.status_code, unchanged.content) == (304, b"")
    assert (me_again.status_code, me_again.content) == (304, b"")
    assert changed.status_code == 200
    assert changed.json()["payouts"][0]["status"] == "confirmed"
    assert changed.headers["etag"] != payouts.headers["etag"]


async def test_small_json_answers_are_compressed_and_photos_are_not(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    for _ in range(2):  # two payouts: about 450 bytes of JSON
        await support.job_in_state(client, brand, artisan, "paid")
    photo = await support.upload_photo(client, artisan)
    browser = artisan.auth | {"Accept-Encoding": BROWSER}

    payouts, body = await raw(client, "/api/v1/payouts", **browser)
    picture, _ = await raw(client, f"/api/v1/photos/{photo}/full", **browser)

    assert 256 <= len(brotli.decompress(body)) < 860  # under the old threshold: it went uncompressed
    assert payouts.headers["content-encoding"] == "br"
    assert "content-encoding" not in picture.headers
