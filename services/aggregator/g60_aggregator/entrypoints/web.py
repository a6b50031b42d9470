"""HTTP pages of a worker: totals views, reconciliation, health and metrics."""

from __future__ import annotations

import re
from typing import Any

import faust
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from g60_aggregator.adapters import metrics
from g60_aggregator.adapters.credit_outbox import read_credit_history
from g60_aggregator.adapters.reconciliation import Reconciliation, reconcile
from g60_aggregator.adapters.totals_view import TotalsView
from g60_aggregator.config import AggregatorSettings
from g60_aggregator.domain.totals import DIMENSIONS, MONEY_MEASURES
from g60_aggregator.entrypoints.serialize import monthly_document, totals_document

# Calendar months of years 0001-9999 (there is no year 0).
MONTH_RE = re.compile(r"^(?!0000)[0-9]{4}-(0[1-9]|1[0-2])$")
PROBLEM_JSON = "application/problem+json"
# "public" withholds small cells (domain.disclosure); "full" is for the alliance office.
VIEWS = ("full", "public")


def _bad_request(web: faust.web.View, field: str, detail: str) -> faust.web.Response:
    """RFC 9457, as the gateway answers, naming the query parameter."""
    body = {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": f"{field}: {detail}",
        "errors": [{"field": field, "detail": detail}],
    }
    return web.json(body, status=400, content_type=PROBLEM_JSON)


def query_error(query: Any, *, monthly: bool = False) -> tuple[str, str] | None:
    """(parameter, why) for the first bad query parameter, or None."""
    month, dimension, value = query.get("month"), query.get("dimension"), query.get("value")
    if month is not None and not MONTH_RE.match(month):
        return "month", "must be YYYY-MM, a month of the years 0001-9999"
    if dimension is not None and dimension not in DIMENSIONS:
        return "dimension", f"must be one of {', '.join(DIMENSIONS)}"
    if query.get("view", "full") not in VIEWS:
        return "view", f"must be one of {', '.join(VIEWS)}"
    if monthly and dimension is not None and not value:
        return "value", "is required with dimension"
    if monthly and value is not None and dimension is None:
        return "value", "is only for a dimension"
    return None


def export_drift(result: Reconciliation) -> None:
    """reconciliation_drift_fen: one series per money measure and dimension value
    (0 when exact), cleared first so a resolved drift does not linger."""
    metrics.RECONCILIATION_DRIFT.clear()
    for measure in MONEY_MEASURES:
        metrics.RECONCILIATION_DRIFT.labels("alliance", "", measure).set(0)
    for d in [*result.drifts, *result.state_drifts]:
        if d.month is None and d.measure.endswith("_fen"):
            metrics.RECONCILIATION_DRIFT.labels(d.dimension, d.value, d.measure).set(d.drift)


def _lags(app: faust.App) -> list[tuple[str, int, int]]:
    consumer = app.consumer
    read = getattr(consumer, "_read_offset", {})
    out = []
    for tp in consumer.assignment():
        try:
            highwater = consumer.highwater(tp)
        except Exception:  # not fetched yet: no figure rather than a wrong one
            continue
        if highwater is None:
            continue
        last_read = read.get(tp)
        position = last_read + 1 if last_read is not None else 0
        out.append((tp.topic, tp.partition, max(highwater - position, 0)))
    return out


def register_pages(app: faust.App, settings: AggregatorSettings) -> TotalsView:
    view = TotalsView(settings.kafka, settings.totals_topic)

    @app.task
    async def serve_totals_view() -> None:
        await view.run()

    @app.page("/v1/totals")
    async def totals(web: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        if error := query_error(request.query):
            return _bad_request(web, *error)
        q = request.query
        public = q.get("view") == "public"
        document = totals_document(view.sums(), q.get("month"), q.get("dimension"), public=public)
        return web.json(document)

    @app.page("/v1/totals/monthly")
    async def monthly(web: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        if error := query_error(request.query, monthly=True):
            return _bad_request(web, *error)
        q = request.query
        return web.json(monthly_document(view.sums(), q.get("dimension"), q.get("value")))

    @app.page("/v1/reconciliation")
    async def reconciliation(web: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        history = await read_credit_history(settings.credit_pg_dsn, settings.reconcile_timeout_s)
        result = reconcile(view.sums(), history)
        export_drift(result)
        return web.json(result.to_json())

    @app.page("/healthz")
    async def healthz(web: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        return web.json({"status": "ok", "totals_view_ready": view.ready.is_set()})

    @app.page("/metrics")
    async def metrics_page(web: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        metrics.refresh_total_gauges(view.sums())
        metrics.refresh_lag(_lags(app))
        # aiohttp refuses a charset inside content_type; pass the full header instead.
        return web.bytes(generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    return view
