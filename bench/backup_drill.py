"""The restore drill at a larger size, timed: seed a fresh database and photo folder through the
services, ``cunjiang backup --photos``, ``cunjiang restore`` into another fresh database and
folder (which verifies rows and hashes), and print what it took as JSON.

Run as ``python -m bench.backup_drill sqlite|postgres ORDERS ARTISANS PHOTOS``: ``ORDERS ×
ARTISANS`` offers (``bench.seed accept``) and ``PHOTOS`` photos of four objects each.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.run import PYTHON, ROOT, _python, postgres_database


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


@contextlib.contextmanager
def _database(lane: str, work: Path, name: str) -> Iterator[str]:
    if lane == "sqlite":
        yield f"sqlite:///{work / name / 'cunjiang.sqlite3'}"
        return
    with postgres_database() as url:
        if url is None:
            raise SystemExit("PostgreSQL is not reachable")
        yield url


def _environment(database_url: str, data: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name != "CUNJIANG_DATABASE_DIRECT_URL"}
    return env | {
        "CUNJIANG_DATABASE_URL": database_url,
        "CUNJIANG_DATA_DIR": str(data),
        "CUNJIANG_STORAGE_URL": str(data / "photos"),
        "LANG": "en_US.UTF-8",
    }


def _timed(env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own command
        [PYTHON, "-m", "backend.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"cunjiang {' '.join(args)}: exit {done.returncode}\n{done.stdout}\n{done.stderr[-3000:]}")
    return round(time.perf_counter() - started, 2)


def drill(lane: str, orders: int, artisans: int, photos: int) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="cunjiang-backup-drill-"))
    with _database(lane, work, "source") as source, _database(lane, work, "target") as target:
        source_env = _environment(source, work / "source")
        seeded = _python("bench.seed", "accept", str(orders), str(artisans), env=source_env, timeout=1800)
        pictured = _python("bench.seed", "photos", str(photos), env=source_env, timeout=1800)
        backup = work / "backup"
        backup_s = _timed(source_env, "backup", "--photos", str(backup))
        summary = json.loads((backup / "backup.json").read_text(encoding="utf-8"))
        restore_s = _timed(_environment(target, work / "target"), "restore", str(backup))
    return {
        "lane": lane,
        "seed_s": seeded["seconds"] + pictured["seconds"],
        "rows": sum(summary["database"]["tables"].values()),
        "database_bytes": summary["database"]["size"],
        "photo_objects": summary["photos"]["objects"],
        "photo_bytes": summary["photos"]["bytes"],
        "backup_bytes": _size(backup),
        "backup_s": backup_s,
        "restore_and_verify_s": restore_s,
    }


if __name__ == "__main__":
    lane, *numbers = sys.argv[1:]
    print(json.dumps(drill(lane, *map(int, numbers))))
