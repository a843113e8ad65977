"""The deploy files for operators: the alert rules read as YAML as Prometheus would load
them, naming only series a process really shows; nginx keeps /metrics and /readyz to the
hosts themselves."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from litestar import Litestar, get
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from backend.ops.routes import prometheus_config

ROOT = Path(__file__).resolve().parents[3]
RULES = ROOT / "deploy" / "alerts.yml"
REQUIRED = {"CunjiangApiDown", "CunjiangOutboxStuck", "CunjiangChangeListenerDown"}
OURS = re.compile(r"\b(?:cunjiang|litestar)_[a-z_]+\b")


def _rules() -> list[dict[str, Any]]:
    loaded = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return [rule for group in loaded["groups"] for rule in group["rules"]]


def test_the_alert_rules_load_and_each_says_what_and_how_bad() -> None:
    rules = _rules()

    assert {rule["alert"] for rule in rules} >= REQUIRED
    assert len({rule["alert"] for rule in rules}) == len(rules)  # no name twice
    for rule in rules:
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        assert rule["expr"].strip(), rule["alert"]
        assert re.fullmatch(r"\d+[smh]", rule.get("for", "0s")), rule["alert"]
        assert rule["labels"]["severity"] in {"page", "warning"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
    by_name = {rule["alert"]: rule["expr"] for rule in rules}
    assert "cunjiang_outbox_oldest_due_seconds) > 300" in by_name["CunjiangOutboxStuck"]  # 5 minutes
    assert by_name["CunjiangApiDown"].startswith("up{")


@get("/boom", sync_to_thread=False)
def _boom() -> None:
    raise RuntimeError("a server error, for the error counter to exist")


async def _series_shown(client: httpx.AsyncClient) -> set[str]:
    """Every series name a process shows: ours at /metrics, and Litestar's error counter,
    which exists from a process's first 5xx on (made here on a tiny app of its own)."""
    tiny = Litestar(route_handlers=[_boom], middleware=[prometheus_config().middleware])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=tiny), base_url="http://tiny") as http:
        assert (await http.get("/boom")).status_code == 500
    text = (await client.get("/metrics")).text + generate_latest(REGISTRY).decode()
    families = list(text_string_to_metric_families(text))
    counted = {f"{family.name}_total" for family in families if family.type == "counter"}  # none counted yet
    return {family.name for family in families} | counted | {s.name for family in families for s in family.samples}


async def test_the_alert_rules_name_only_series_cunjiang_shows(client: httpx.AsyncClient) -> None:
    shown = await _series_shown(client)

    named = {name for rule in _rules() for name in OURS.findall(rule["expr"])}

    assert named, "the rules name Cunjiang's series"
    assert named - shown == set()


@pytest.mark.parametrize("site", ["nginx.conf", "nginx.compose.conf"])
def test_nginx_keeps_metrics_and_readiness_off_the_public_site(site: str) -> None:
    config = (ROOT / "deploy" / site).read_text(encoding="utf-8")

    for path in ("/metrics", "/readyz"):
        block = re.search(r"location = " + re.escape(path) + r" \{([^}]*)\}", config)
        assert block is not None, path
        assert "deny all;" in block.group(1), path
    assert "location = /healthz" not in config  # the load balancer's, passed to the processes
