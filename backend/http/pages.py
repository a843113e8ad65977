"""The pages: the PWA's files as they are (plain ES modules, no build step), the artisan's
app at ``/`` with its service worker and manifest, and the console."""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from litestar import Response, get
from litestar.static_files import create_static_files_router

# Another folder may be served instead (an operator's customised copy; the update test).
PWA_DIR = Path(os.environ.get("CUNJIANG_PWA_DIR") or Path(__file__).resolve().parents[2] / "pwa")
# Only our own files run: no inline script, nothing from elsewhere (no CDN in China anyway).
SECURITY = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",  # the shell is small: always checked, so an update shows at once
}

pwa_files = create_static_files_router(path="/pwa", directories=[PWA_DIR], include_in_schema=False)


@get(["/console", "/console/{section:str}"], include_in_schema=False, media_type="text/html")
async def console_page() -> Response[bytes]:
    """The coordinator's console; it shows the section its address names (``/console/sms``)."""
    return Response((PWA_DIR / "console.html").read_bytes(), media_type="text/html", headers=SECURITY)


# The artisan's app shell: what the service worker keeps for starting without a network.
# Computed from the files themselves, so a changed file is a new version (never a hand list).
SHELL_PARTS = ("index.html", "manifest.webmanifest", "src/*.js", "src/views/*.js", "styles/app.css", "icons/*.png")


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
    signature = tuple(
        (url, str(path), path.stat().st_mtime_ns, path.stat().st_size) for url, path in sorted(shell().items())
    )
    return _service_worker(signature, (PWA_DIR / "sw.js").stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _service_worker(signature: tuple[tuple[str, str, int, int], ...], _template_changed: int) -> str:
    files = {url: Path(path) for url, path, _mtime, _size in signature}
    digest = hashlib.sha256()
    for url, path in sorted(files.items()):
        digest.update(url.encode() + b"\0" + path.read_bytes())
    source = (PWA_DIR / "sw.js").read_text(encoding="utf-8")
    return source.replace("__VERSION__", digest.hexdigest()[:16]).replace("__SHELL__", json.dumps(sorted(files)))


@get("/", include_in_schema=False, media_type="text/html")
async def app_page() -> Response[bytes]:
    """The artisan's app (installable; starts offline once its service worker is in place)."""
    return Response((PWA_DIR / "index.html").read_bytes(), media_type="text/html", headers=SECURITY)


@get("/sw.js", include_in_schema=False, media_type="application/javascript")
async def service_worker_script() -> Response[str]:
    headers = {"Cache-Control": "no-cache", "Service-Worker-Allowed": "/", "X-Content-Type-Options": "nosniff"}
    return Response(service_worker(), media_type="application/javascript", headers=headers)


@get("/manifest.webmanifest", include_in_schema=False, media_type="application/manifest+json")
async def manifest() -> Response[bytes]:
    body = (PWA_DIR / "manifest.webmanifest").read_bytes()
    return Response(body, media_type="application/manifest+json", headers={"Cache-Control": "no-cache"})
