"""Time process_upload on big generated JPEGs against a naive Pillow pipeline, in one run."""

from __future__ import annotations

import hashlib
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from PIL import Image, ImageOps

from backend.photos import processing

ROUNDS = 7
SIZES = {"list": 320, "review": 1024, "full": 2048}


def camera_like_jpeg(width: int, height: int) -> bytes:
    """Gradients with sensor-like noise: compresses and decodes like a phone photo, not a flat fill."""
    noise = Image.effect_noise((width, height), 24)
    ramp = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", [Image.blend(noise, ramp, 0.6), ramp, Image.blend(noise, ramp.rotate(180), 0.5)])
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def naive_pipeline(data: bytes) -> str:
    """What one writes first: decode everything, then shrink a copy per size."""
    with Image.open(io.BytesIO(data)) as opened:
        opened.load()
        upright = ImageOps.exif_transpose(opened).convert("RGB")
    encoded = {}
    for name, longest in SIZES.items():
        copy = upright.copy()
        copy.thumbnail((longest, longest))  # Pillow's default filter, BICUBIC, as ours
        buffer = io.BytesIO()
        copy.save(buffer, "JPEG", quality=processing.JPEG_QUALITY, progressive=True, optimize=True)
        encoded[name] = buffer.getvalue()
    return hashlib.sha256(encoded["full"]).hexdigest()


def without_draft(data: bytes) -> processing.ProcessedPhoto:
    with mock.patch.object(processing, "_draft", return_value=None):
        return processing.process_upload(data)


def median_ms(run: Callable[[bytes], object], data: bytes) -> float:
    run(data)  # warm-up: imports, plugin registration, allocator
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        run(data)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    for width, height in [(4000, 3000), (6000, 4500)]:
        data = camera_like_jpeg(width, height)
        naive = median_ms(naive_pipeline, data)
        no_draft = median_ms(without_draft, data)
        full = median_ms(processing.process_upload, data)
        print(f"{width}x{height} JPEG, {len(data) / 2**20:.1f} MiB, median of {ROUNDS}:")
        print(f"  naive open+load+thumbnail per size  {naive:7.1f} ms/photo")
        print(f"  process_upload without draft        {no_draft:7.1f} ms/photo")
        print(f"  process_upload                      {full:7.1f} ms/photo")
        print(f"  ratio naive / process_upload        {naive / full:7.2f}x")
        print(f"  ratio no draft / with draft         {no_draft / full:7.2f}x")


if __name__ == "__main__":
    main()
