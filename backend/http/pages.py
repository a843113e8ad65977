"""The pages: the PWA's files as they are (plain ES modules, no build step), the artisan's
app at ``/`` with its service worker and manifest, and the console.

Every file is sent as an :class:`Asset`: compressed once (brotli and gzip, at their best
settings, kept only where smaller), with an ETag of its content, and 304 to a browser that
already has it. Artisans pay for every byte on 2G: a file is never compressed again per
request, and a repeat visit, or the service worker's precache right after the page loaded
the same files, costs a few headers instead of the file. The security headers (CSP and the
others) are added to every answer by ``backend.http.security``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

import brotli
from litestar import Request, Response, get
from litestar.params import FromPath

from backend.core.errors import NotFound
from backend.http.responses import NO_COMPRESSION, has_current

# Another folder may be served instead (an operator's customised copy; the update test).
PWA_DIR = Path(os.environ.get("CUNJIANG_PWA_DIR") or Path(__file__).resolve().parents[2] / "pwa")
# The shell is small: always checked (a 304 when unchanged), so an update shows at once and
# the service worker never stores an old copy kept by the HTTP cache under a new version.
REVALIDATE = {"Cache-Control": "no-cache"}
MEDIA_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".webmanifest": "application/manifest+json",
    ".json": "application/json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
# What a browser may have from pwa/: the pages, the manifest and the app's modules, styles and
# icons. Not the checks' tooling beside them (package.json, its lock, node_modules/, the
# TypeScript and ESLint configs, types/) nor the service worker's template (served at /sw.js).
SERVED_FILES = frozenset({"index.html", "console.html", "manifest.webmanifest"})
SERVED_FOLDERS = {"src": (".js",), "styles": (".css",), "icons": (".png", ".svg")}
TEXT = ("text/", "application/javascript", "application/json", "application/manifest+json", "image/svg+xml")
SAVES_AT_LEAST = 0.05  # an encoding is kept only when it saves this share of the bytes


@dataclass(frozen=True)
class Asset:
    """One file as it is sent: its bytes in each content coding worth having, and its tag."""

    media_type: str
    digest: str
    bodies: dict[str, bytes]  # content coding ("" for none) → bytes

    def coding_for(self, accept_encoding: str) -> str:
        """The smallest coding this client accepts (``br`` before ``gzip``), or none."""
        accepted = _accepted(accept_encoding)
        choices = [coding for coding in self.bodies if coding and coding in accepted]
        return min(choices, key=lambda coding: len(self.bodies[coding]), default="")

    def etag(self, coding: str) -> str:
        """A strong tag per representation: the same file in another coding is other bytes."""
        return f'"{self.digest}-{coding}"' if coding else f'"{self.digest}"'


def _accepted(header: str) -> set[str]:
    """The content codings an ``Accept-Encoding`` header allows (``q=0`` refuses one)."""
    found = set()
    for part in header.lower().split(","):
        coding, _, parameters = part.partition(";")
        quality = parameters.strip().removeprefix("q=").strip() if "q=" in parameters else "1"
        try:
            refused = float(quality) == 0
        except ValueError:
            refused = False
        if coding.strip() and not refused:
            found.add(coding.strip())
    return found


def make_asset(body: bytes, media_type: str) -> Asset:
    bodies = {"": body}
    if media_type.startswith(TEXT):
        candidates = {
            "br": brotli.compress(body, quality=11, mode=brotli.MODE_TEXT),
            "gzip": gzip.compress(body, compresslevel=9, mtime=0),
        }
    else:  # pictures are compressed already: their coding is kept only where it really saves
        candidates = {"br": brotli.compress(body, quality=11, mode=brotli.MODE_GENERIC)}
    for coding, encoded in candidates.items():
        if len(encoded) <= len(body) * (1 - SAVES_AT_LEAST):
            bodies[coding] = encoded
    return Asset(media_type, hashlib.blake2b(body, digest_size=10).hexdigest(), bodies)


def send(request: Request[Any, Any, Any], asset: Asset, headers: dict[str, str] | None = None) -> Response[bytes]:
    """The asset in the best coding the client takes, or 304 when it has that one already."""
    coding = asset.coding_for(request.headers.get("accept-encoding", ""))
    tag = asset.etag(coding)
    validators = {**REVALIDATE, "ETag": tag}
    if len(asset.bodies) > 1:
        validators["Vary"] = "Accept-Encoding"
    if has_current(request, tag):
        # The browser keeps the other headers it stored with the file (RFC 9111, 4.3.4).
        return Response(b"", status_code=304, headers=validators)
    sent = {**validators, **(headers or {})}
    if coding:
        sent["Content-Encoding"] = coding
    return Response(asset.bodies[coding], media_type=asset.media_type, headers=sent)


def _file_asset(path: Path) -> Asset:
    """The file as an Asset, made again only when the file changed (size and modification time)."""
    status = path.stat()
    return _cached_file_asset(str(path), status.st_mtime_ns, status.st_size)


@lru_cache(maxsize=256)
def _cached_file_asset(path: str, _mtime_ns: int, _size: int) -> Asset:
    suffix = Path(path).suffix
    media_type = MEDIA_TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    return make_asset(Path(path).read_bytes(), media_type)


def is_app_file(relative: PurePosixPath) -> bool:
    """Whether a path inside ``pwa/`` names one of the app's own files (``SERVED_FILES``, or a
    module, style or icon in its folder), whatever else lies beside them."""
    if len(relative.parts) == 1:
        return relative.name in SERVED_FILES
    suffixes = SERVED_FOLDERS.get(relative.parts[0], ())
    return relative.suffix in suffixes and "node_modules" not in relative.parts


@get("/pwa/{path:path}", include_in_schema=False, opt={NO_COMPRESSION: True})
async def pwa_files(request: Request[Any, Any, Any], path: FromPath[str]) -> Response[bytes]:
    """The app's files under ``pwa/`` (modules, styles, icons, pages), and nothing else."""
    found = (PWA_DIR / path.lstrip("/")).resolve()
    if not found.is_relative_to(PWA_DIR) or not found.is_file():
        raise NotFound()
    if not is_app_file(PurePosixPath(found.relative_to(PWA_DIR).as_posix())):
        raise NotFound()
    return send(request, _file_asset(found))


@get(["/console", "/console/{section:str}"], include_in_schema=False, opt={NO_COMPRESSION: True})
async def console_page(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The coordinator's console; it shows the section its address names (``/console/sms``)."""
    return send(request, _file_asset(PWA_DIR / "console.html"))


# The artisan's app shell: what the service worker keeps for starting without a network.
# Computed from the files themselves, so a changed file is a new version (never a hand list).
# The page's own icon is in it; the manifest's larger icon is not needed to start (the browser
# fetches it when the app is installed), so the first visit does not pay for it.
SHELL_PARTS = (
    "index.html",
    "manifest.webmanifest",
    "src/*.js",
    "src/views/*.js",
    "styles/app.css",
    "icons/icon-192.png",
)


def shell() -> dict[str, Path]:
    """URL path → file, for every file of the app shell."""
    found = {"/": PWA_DIR / "index.html", "/manifest.webmanifest": PWA_DIR / "manifest.webmanifest"}
    for pattern in SHELL_PARTS[2:]:
        found |= {f"/pwa/{path.relative_to(PWA_DIR).as_posix()}": path for path in sorted(PWA_DIR.glob(pattern))}
    return found


def service_worker() -> str:
    """``pwa/sw.js`` with its version (a hash of every shell file's content) and shell list.

    Browsers ask for it on every visit: it is made again only when a file changed (by size
    and modification time), not hashed on every request."""
    return _service_worker_asset()[0]


def _service_worker_asset() -> tuple[str, Asset]:
    signature = tuple(
        (url, str(path), status.st_mtime_ns, status.st_size)
        for url, path in sorted(shell().items())
        for status in (path.stat(),)
    )
    return _service_worker(signature, (PWA_DIR / "sw.js").stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _service_worker(signature: tuple[tuple[str, str, int, int], ...], _template_changed: int) -> tuple[str, Asset]:
    files = {url: Path(path) for url, path, _mtime, _size in signature}
    digest = hashlib.sha256()
    for url, path in sorted(files.items()):
        digest.update(url.encode() + b"\0" + path.read_bytes())
    source = (PWA_DIR / "sw.js").read_text(encoding="utf-8")
    source = source.replace("__VERSION__", digest.hexdigest()[:16]).replace("__SHELL__", json.dumps(sorted(files)))
    return source, make_asset(source.encode(), "application/javascript")


@get("/", include_in_schema=False, opt={NO_COMPRESSION: True})
async def app_page(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The artisan's app (installable; starts offline once its service worker is in place)."""
    modules = ", ".join(f"<{url}>; rel=modulepreload" for url in shell() if url.endswith(".js"))
    return send(request, _file_asset(PWA_DIR / "index.html"), {"Link": modules})


@get("/sw.js", include_in_schema=False, opt={NO_COMPRESSION: True})
async def service_worker_script(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Checked by the browser on visits: a 304 while no shell file changed."""
    return send(request, _service_worker_asset()[1], {"Service-Worker-Allowed": "/"})


@get("/manifest.webmanifest", include_in_schema=False, opt={NO_COMPRESSION: True})
async def manifest(request: Request[Any, Any, Any]) -> Response[bytes]:
    return send(request, _file_asset(PWA_DIR / "manifest.webmanifest"))
