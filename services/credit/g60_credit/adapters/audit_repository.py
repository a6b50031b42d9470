"""The audit trail: one row per change, written in the change's own transaction."""

from __future__ import annotations

import json

import asyncpg
from g60common.ids import canonical_uuid

from g60_credit.domain.queries import AuditEntry, AuditRecord

# A module constant, so the benchmark's direct-SQL baseline sends this very statement.
INSERT_AUDIT_SQL = """INSERT INTO credit_audit (aggregate_type, aggregate_id, action, actor,
       request_id, before_state, after_state) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)"""


class PgAuditRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def record(self, *entries: AuditEntry) -> None:
        """Several entries (a drawdown audits line and application) in one round trip."""
        await self._conn.executemany(
            INSERT_AUDIT_SQL,
            [
                (
                    e.aggregate_type,
                    e.aggregate_id,
                    e.action,
                    e.actor,
                    e.request_id,
                    None if e.before is None else json.dumps(e.before),
                    json.dumps(e.after),
                )
                for e in entries
            ],
        )

    async def list(
        self, aggregate_type: str, aggregate_id: str, after_audit_id: int, limit: int
    ) -> list[AuditRecord]:
        rows = await self._conn.fetch(
            """SELECT audit_id, action, actor, request_id, occurred_at,
                      before_state::text AS before_json, after_state::text AS after_json
               FROM credit_audit WHERE aggregate_type = $1 AND aggregate_id = $2
                 AND audit_id > $3 ORDER BY audit_id LIMIT $4""",
            aggregate_type,
            canonical_uuid(aggregate_id),
            after_audit_id,
            limit,
        )
        return [
            AuditRecord(
                audit_id=r["audit_id"],
                action=r["action"],
                actor=r["actor"],
                request_id=r["request_id"],
                occurred_at_iso=r["occurred_at"].isoformat(),
                before_json=r["before_json"] or "",
                after_json=r["after_json"],
            )
            for r in rows
        ]
