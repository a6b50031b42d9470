"""Prometheus metrics of the aggregator.

Counters move as events are handled; gauges of totals and lag are refreshed when
/metrics is scraped, so the hot path pays nothing for them. Totals gauges are in yuan
(float64 is exact only to 2^53 fen); the exact fen figures are in the JSON API."""

from __future__ import annotations

from collections.abc import Iterable

from g60common.corridor import CORRIDOR_CITIES
from g60common.money import yuan_float_for_display
from prometheus_client import Counter, Gauge

from g60_aggregator.domain.totals import ALLIANCE, Sums, cumulative

EVENTS_APPLIED = Counter("g60_aggregator_events_applied", "Credit events applied to totals")
DUPLICATES_SKIPPED = Counter(
    "g60_aggregator_duplicates_skipped", "Events skipped: version already applied"
)
VERSION_GAPS = Counter(
    "g60_aggregator_version_gaps", "Events whose version skipped past the next expected one"
)
EVENTS_IGNORED = Counter("g60_aggregator_events_ignored", "Events of types totals do not use")
SERVED_FORWARDED = Counter(
    "g60_aggregator_served_forwarded", "Disbursements forwarded to the enterprise-served stream"
)
CONSUMER_LAG = Gauge(
    "g60_aggregator_consumer_lag_messages", "Messages not yet read", ["topic", "partition"]
)
RECONCILIATION_DRIFT = Gauge(
    "reconciliation_drift_fen",
    "Stream totals minus totals recomputed from the credit database, in fen",
    ["dimension", "value", "measure"],
)

_GAUGED = {
    "credit_granted_fen": "g60_aggregator_credit_granted_yuan",
    "financing_disbursed_fen": "g60_aggregator_financing_disbursed_yuan",
    "active_limit_fen": "g60_aggregator_active_limit_yuan",
    "principal_overdue_fen": "g60_aggregator_principal_overdue_yuan",
    "principal_overdue_outstanding_fen": "g60_aggregator_principal_overdue_outstanding_yuan",
    "principal_compensated_fen": "g60_aggregator_principal_compensated_yuan",
    "principal_nonperforming_fen": "g60_aggregator_principal_nonperforming_yuan",
}
TOTALS_YUAN = {
    measure: Gauge(name, f"{measure} in yuan (display)", ["scope", "city"])
    for measure, name in _GAUGED.items()
}
OUTSTANDING_YUAN = Gauge(
    "g60_aggregator_outstanding_yuan", "Outstanding balance in yuan (display)", ["scope", "city"]
)


def _set(scope: str, city: str, by_measure: dict[str, dict[str, int]]) -> None:
    for measure, gauge in TOTALS_YUAN.items():
        fen = cumulative(by_measure.get(measure, {}))
        gauge.labels(scope, city).set(yuan_float_for_display(fen))
    outstanding = cumulative(by_measure.get("financing_disbursed_fen", {})) - cumulative(
        by_measure.get("principal_repaid_fen", {})
    )
    OUTSTANDING_YUAN.labels(scope, city).set(yuan_float_for_display(outstanding))


def refresh_total_gauges(sums: Sums) -> None:
    _set("alliance", "", sums.get(ALLIANCE, {}))
    for scope in ("enterprise_city", "bank_city"):
        for city in CORRIDOR_CITIES:
            _set(scope, city, sums.get(f"{scope}:{city}", {}))


def refresh_lag(lags: Iterable[tuple[str, int, int]]) -> None:
    for topic, partition, lag in lags:
        CONSUMER_LAG.labels(topic, str(partition)).set(lag)
