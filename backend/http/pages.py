"""The pages: the PWA's files as they are (plain ES modules, no build step), and the console."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get
from litestar.static_files import create_static_files_router

PWA_DIR = Path(__file__).resolve().parents[2] / "pwa"
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
