"""Wire types of photos."""

from __future__ import annotations

from backend.core.types import Wire


class PhotoRead(Wire):
    id: int
    width: int
    height: int
    urls: dict[str, str]
