"""make bench, photos: the pipeline on big generated JPEGs against a naive Pillow pipeline in
the same run (budget: at least 2x faster on a 12 MP photo), the peak memory of each per
photo, and resumable (tus) upload throughput on loopback with a third-party client."""

from __future__ import annotations

import gc
import hashlib
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from PIL import Image, ImageOps

from backend.photos import processing

ROUNDS = 7
SIZES = {"list": processing.LIST_SIZE, "review": processing.REVIEW_SIZE, "full": processing.FULL_SIZE}
BUDGET = 2.0


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


PIPELINES: dict[str, Callable[[bytes], object]] = {"naive": naive_pipeline, "ours": processing.process_upload}


def peak_mb(pipeline: str, data: bytes) -> float:
    """The growth of a fresh process's peak memory over one photo (Pillow's buffers included)."""
    with tempfile.NamedTemporaryFile(suffix=".jpg") as photo:
        photo.write(data)
        photo.flush()
        done = subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--peak", pipeline, photo.name], capture_output=True, text=True, check=True
        )
    return float(done.stdout.strip())


def _measure_peak(pipeline: str, path: str) -> None:
    data = Path(path).read_bytes()
    PIPELINES[pipeline](camera_like_jpeg(64, 48))  # imports and plugins first: not the photo's cost
    gc.collect()
    before = _high_water_kib()
    PIPELINES[pipeline](data)
    print((_high_water_kib() - before) / 1024)


def _high_water_kib() -> int:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the
    parent across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    for width, height in [(4000, 3000), (6000, 4500)]:
        data = camera_like_jpeg(width, height)
        naive = median_ms(naive_pipeline, data)
        no_draft = median_ms(without_draft, data)
        full = median_ms(processing.process_upload, data)
        verdict = ("PASS" if naive / full >= BUDGET else "FAIL") + f" (≥{BUDGET:g}x)" if width == 4000 else ""
        print(
            f"{width}x{height} JPEG ({width * height / 1e6:.0f} MP), {len(data) / 2**20:.1f} MiB, median of {ROUNDS}:"
        )
        print(f"  naive open+load+resize+save per size {naive:7.1f} ms/photo, peak +{peak_mb('naive', data):.0f} MB")
        print(f"  process_upload without draft         {no_draft:7.1f} ms/photo")
        print(f"  process_upload                       {full:7.1f} ms/photo, peak +{peak_mb('ours', data):.0f} MB")
        print(f"  ratio naive / process_upload         {naive / full:7.2f}x {verdict}")
        print(f"  ratio no draft / with draft          {no_draft / full:7.2f}x")
    tus_throughput()


def tus_throughput() -> None:
    """A 12 MB file through a real server in 1 MB parts with tuspy (checksums on), on loopback."""
    from tusclient.client import TusClient

    from bench.run import serve

    with tempfile.TemporaryDirectory(prefix="cunjiang-tus-") as tmp:
        env = os.environ | {"CUNJIANG_DATABASE_URL": f"sqlite:///{tmp}/tus.sqlite3", "CUNJIANG_DATA_DIR": tmp}
        seeded = subprocess.run(
            [sys.executable, "-m", "bench.seed", "uploader"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        token = json.loads(seeded.stdout)["token"]
        payload = os.urandom(12 * 2**20)
        with serve("backend.app:create_app", env, Path(tmp) / "server.log", factory=True) as (_pid, port):
            client = TusClient(f"http://127.0.0.1:{port}/api/v1/uploads", headers={"Authorization": f"Bearer {token}"})
            uploader = client.uploader(file_stream=io.BytesIO(payload), chunk_size=2**20, upload_checksum=True)
            started = time.perf_counter()
            uploader.upload()
            seconds = time.perf_counter() - started
    print(
        f"tus upload on loopback: 12 MiB in 1 MiB parts with sha1 checksums, {12 / seconds:.1f} MiB/s ({seconds:.2f} s)"
    )


ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    if sys.argv[1:2] == ["--peak"]:
        _measure_peak(sys.argv[2], sys.argv[3])
    else:
        main()
