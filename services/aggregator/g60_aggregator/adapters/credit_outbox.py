"""Reads the credit service's outbox, read-only: every event envelope it ever committed.

The outbox row is written in the same transaction as the state change, so the outbox
is the complete, ordered history the stream must equal. We never write to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
from g60common.events import decode_envelope
from g60common.kafka import TOPIC_CREDIT_EVENTS

from g60_aggregator.adapters.decoding import TOTALLED_AGGREGATES, to_fact
from g60_aggregator.domain.fold import TotalsFold

FETCH_ROWS = 2_000

_HISTORY = """
SELECT aggregate_id, aggregate_version, envelope
FROM outbox
WHERE topic = $1 AND aggregate_type = ANY($2::text[])
ORDER BY aggregate_id, aggregate_version
"""


async def _envelopes(conn: asyncpg.Connection) -> AsyncIterator[tuple[str, int, bytes]]:
    totalled = sorted(TOTALLED_AGGREGATES)
    async for row in conn.cursor(_HISTORY, TOPIC_CREDIT_EVENTS, totalled, prefetch=FETCH_ROWS):
        yield row["aggregate_id"], row["aggregate_version"], bytes(row["envelope"])


@dataclass
class CreditHistory:
    fold: TotalsFold  # the outbox folded with the stream's own rules
    events: int
    state: dict[str, int]  # alliance-wide figures straight from the state tables


async def read_credit_history(dsn: str, timeout_s: float) -> CreditHistory:
    """Outbox history and state tables from one read-only snapshot (a consistent cut)."""
    fold = TotalsFold()
    events = 0
    conn = await asyncpg.connect(dsn, timeout=timeout_s, command_timeout=timeout_s)
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            async for aggregate_id, version, raw in _envelopes(conn):
                fold.apply(aggregate_id, version, to_fact(decode_envelope(raw)))
                events += 1
            row = await conn.fetchrow(_STATE)
    finally:
        await conn.close()
    return CreditHistory(fold, events, {k: int(v) for k, v in dict(row).items()})


# An independent cross-check, alliance-wide: what the current rows say, by SQL rather
# than by our fold. Cumulative granted needs history, so it is checked via the outbox.
_STATE = """
SELECT
  (SELECT count(*) FROM credit_lines) AS credit_lines,
  (SELECT coalesce(sum(limit_fen), 0) FROM credit_lines WHERE status = 'ACTIVE')
      AS active_limit_fen,
  (SELECT count(*) FROM credit_lines WHERE status = 'ACTIVE') AS active_credit_lines,
  (SELECT coalesce(sum(amount_fen), 0) FROM credit_movements WHERE kind = 'DRAWDOWN')
      AS financing_disbursed_fen,
  -- A compensation (代偿) is principal repaid to the bank, by the guarantor.
  (SELECT coalesce(sum(amount_fen), 0) FROM credit_movements
     WHERE kind IN ('REPAYMENT', 'COMPENSATION')) AS principal_repaid_fen,
  (SELECT coalesce(sum(amount_fen), 0) FROM credit_movements WHERE kind = 'COMPENSATION')
      AS principal_compensated_fen,
  (SELECT count(DISTINCT l.enterprise_id) FROM credit_movements m
     JOIN credit_lines l USING (credit_line_id) WHERE m.kind = 'DRAWDOWN')
      AS enterprises_served,
  (SELECT count(*) FROM financing_applications WHERE overdue_since IS NOT NULL)
      AS loans_overdue,
  -- What was outstanding when each loan was marked: the OVERDUE audit row's after-state.
  (SELECT coalesce(sum((after_state->>'disbursed_fen')::bigint
                       - (after_state->>'repaid_fen')::bigint), 0)
     FROM credit_audit WHERE aggregate_type = 'FinancingApplication' AND action = 'OVERDUE')
      AS principal_overdue_fen,
  (SELECT coalesce(sum(disbursed_fen - repaid_fen), 0) FROM financing_applications
     WHERE overdue_since IS NOT NULL) AS principal_overdue_outstanding_fen,
  -- 不良: classes only get worse, so every loan that ever became non-performing still is.
  (SELECT count(*) FROM financing_applications
     WHERE risk_class IN ('SUBSTANDARD', 'DOUBTFUL', 'LOSS')) AS loans_nonperforming,
  (SELECT coalesce(sum(disbursed_fen - repaid_fen), 0) FROM financing_applications
     WHERE risk_class IN ('SUBSTANDARD', 'DOUBTFUL', 'LOSS'))
      AS principal_nonperforming_fen
"""
