"""A benchmark's lane: its ``lane`` step in a process of its own whose environment names the
database (the backend reads it at import time), on SQLite or on PostgreSQL; its JSON result."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_lane(module: str, name: str, database_url: str, work: Path, **env: str) -> dict[str, object] | None:
    """``python -m MODULE lane`` on ``database_url``; None (and why, printed) when it failed.
    Quiet hours are off (at night they would rightly hold every message until morning) and no
    gateway of the machine's environment leaks in."""
    environment = os.environ | {
        "CUNJIANG_DATABASE_URL": database_url,
        "CUNJIANG_DATA_DIR": str(work / name),
        "CUNJIANG_SMS_QUIET_HOURS": "off",
        **env,
    }
    for foreign in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM", "CUNJIANG_SMS_PROVIDER"):
        environment.pop(foreign, None)
    done = subprocess.run(  # noqa: S603 - our own benchmark modules
        [sys.executable, "-m", module, "lane"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        print(f"  {name}: failed\n{done.stderr[-2000:]}")
        return None
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def both_engines(module: str, **env: str) -> dict[str, dict[str, object]]:
    """The lane on SQLite, then on a fresh PostgreSQL database when one is reachable; the
    results of those that ran (a failed one says why and is left out)."""
    from bench.run import postgres_database

    results: dict[str, dict[str, object] | None] = {}
    with tempfile.TemporaryDirectory(prefix="cunjiang-lane-") as tmp:
        work = Path(tmp)
        results["sqlite"] = run_lane(module, "sqlite", f"sqlite:///{work / 'lane.sqlite3'}", work, **env)
        with postgres_database() as url:
            if url:
                results["postgres"] = run_lane(module, "postgres", url, work, **env)
    return {name: result for name, result in results.items() if result is not None}
