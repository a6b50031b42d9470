"""`python -m g60_aggregator.reconcile`: compare the stream totals with totals computed
straight from the credit service's PostgreSQL (read-only), per dimension, in fen.

Sources: the credit outbox (every event envelope, committed with its state change:
the history the stream must equal) folded with the stream's own rules, and an
independent SQL cross-check of the state tables alliance-wide. Exit status 0 when
there is no drift, 1 otherwise. --wait-s retries while the stream catches up."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from g60common.config import process_env

from g60_aggregator.adapters.credit_outbox import read_credit_history
from g60_aggregator.adapters.reconciliation import Reconciliation, reconcile
from g60_aggregator.adapters.totals_view import read_totals_once
from g60_aggregator.config import AggregatorSettings

RETRY_S = 1.0


async def run(settings: AggregatorSettings, wait_s: float) -> Reconciliation:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    while True:
        history = await read_credit_history(settings.credit_pg_dsn, settings.reconcile_timeout_s)
        stream = await read_totals_once(settings.kafka, settings.totals_topic)
        result = reconcile(stream, history)
        if result.exact or loop.time() >= deadline:
            return result
        await asyncio.sleep(RETRY_S)


def _summary(result: Reconciliation) -> str:
    lines = [f"events in the credit outbox: {result.events}"]
    for d in [*result.drifts, *result.state_drifts]:
        month = d.month or "all months"
        lines.append(
            f"DRIFT {d.dimension}:{d.value} {d.measure} ({month}): stream {d.stream} "
            f"database {d.source} drift {d.drift}"
        )
    lines.append("no drift in any dimension" if result.exact else "drift found")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wait-s", type=float, default=0.0, help="retry until exact (seconds)")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    args = parser.parse_args()
    result = asyncio.run(run(AggregatorSettings.from_env(process_env()), args.wait_s))
    print(json.dumps(result.to_json(), indent=2) if args.json else _summary(result))
    sys.exit(0 if result.exact else 1)


if __name__ == "__main__":
    main()
