"""The shipped Prometheus alert rules are well-formed and name only metrics the code
exports, so a renamed metric cannot silently disarm an alert."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY

RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "g60-alerts.yaml"
# Every module that defines a metric the rules may name.
METRIC_MODULES = (
    "g60common.grpc_server",
    "g60common.outbox.relay",
    "g60common.idempotency_purge",
    "g60_aggregator.adapters.metrics",
    "g60_credit.entrypoints.expiry_sweeper",
    "g60_gateway.entrypoints.observe",
)
# PromQL words that look like metric names but are not.
_PROMQL = {"by", "sum", "max", "rate", "increase", "abs", "histogram_quantile", "le"}


def _rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    return [rule for group in groups for rule in group["rules"]]


def _exported_sample_names() -> set[str]:
    for module in METRIC_MODULES:
        importlib.import_module(module)
    # Every sample name the registry would expose (`_total`, `_bucket`, ... included);
    # the registry keeps them to refuse duplicates.
    return set(REGISTRY._names_to_collectors)


@pytest.mark.parametrize("rule", _rules(), ids=lambda rule: str(rule["alert"]))
def test_every_rule_is_complete(rule: dict[str, Any]) -> None:
    assert re.fullmatch(r"G60[A-Za-z]+", rule["alert"])
    assert rule["labels"]["severity"] in {"page", "ticket"}
    assert rule["annotations"]["summary"] and rule["annotations"]["description"]
    assert rule["expr"].strip()


@pytest.mark.parametrize("rule", _rules(), ids=lambda rule: str(rule["alert"]))
def test_every_metric_a_rule_names_is_exported(rule: dict[str, Any]) -> None:
    without_strings = re.sub(r'"[^"]*"', "", rule["expr"])
    without_ranges = re.sub(r"\[[^\]]*\]", "", without_strings)
    words = set(re.findall(r"[a-z_][a-z0-9_]*", without_ranges)) - _PROMQL
    label_names = set(re.findall(r"by \(([^)]*)\)", without_ranges))
    labels = {name.strip() for group in label_names for name in group.split(",")}
    labels |= set(re.findall(r"\{([a-z_]+)=", rule["expr"]))
    metrics = words - labels
    assert metrics, rule["expr"]
    assert metrics <= _exported_sample_names(), metrics - _exported_sample_names()
