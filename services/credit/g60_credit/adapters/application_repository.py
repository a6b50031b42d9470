"""asyncpg repositories: financing applications, movements and guarantor capacity."""

from __future__ import annotations

from datetime import date

import asyncpg
from g60common.ids import canonical_uuid

from g60_credit.domain.application import ApplicationStatus, FinancingApplication
from g60_credit.domain.errors import ConcurrentUpdate, GuarantorCapacityExceeded
from g60_credit.domain.guarantee import GuarantorCapacity
from g60_credit.domain.queries import ApplicationQuery, GuaranteedLoanQuery, MovementRecord
from g60_credit.domain.risk import RiskClass, leaves_after_days

# Module constants, so the benchmark's direct-SQL baseline sends these very statements.
SELECT_APPLICATION_SQL = "SELECT * FROM financing_applications WHERE application_id = $1"
UPDATE_APPLICATION_SQL = """UPDATE financing_applications SET declined_bank_ids = $3::uuid[],
       status = $4, bank_id = $5, credit_line_id = $6, approved_fen = $7, disbursed_fen = $8,
       repaid_fen = $9, guarantee_fen = $10, version = $11, first_drawn_on = $12,
       maturity_date = $13, overdue_since = $14, compensated_fen = $15, approved_on = $16,
       due_soon_notified_for = $17, extended_months = $18, risk_class = $19
   WHERE application_id = $1 AND version = $2 RETURNING true"""
INSERT_MOVEMENT_SQL = """INSERT INTO credit_movements (movement_id, kind, credit_line_id,
       application_id, amount_fen, guarantee_fen, line_version) VALUES ($1,$2,$3,$4,$5,$6,$7)"""

# Running totals over the whole application, then the page: a page's first row still
# carries the totals of every movement before it. Sums of BIGINT are NUMERIC in
# PostgreSQL; every partial sum is within the application's approved amount.
SELECT_MOVEMENTS_SQL = """SELECT * FROM (
    SELECT movement_id, kind, amount_fen, guarantee_fen, credit_line_id, occurred_at,
           line_version,
           (sum(amount_fen) FILTER (WHERE kind = 'DRAWDOWN')
                OVER (ORDER BY line_version))::bigint AS disbursed_after_fen,
           (sum(amount_fen) FILTER (WHERE kind IN ('REPAYMENT', 'COMPENSATION'))
                OVER (ORDER BY line_version))::bigint AS repaid_after_fen
    FROM credit_movements WHERE application_id = $1) AS m
  WHERE line_version > $2 ORDER BY line_version LIMIT $3"""

# The classes a loan marked overdue can still leave, and the days past due beyond which
# it does (domain.risk): a loan of class $2[i] is due once maturity_date < today - $3[i].
# NORMAL is not among them: a marked loan is at least SPECIAL_MENTION.
_CUTOFFS = [
    (c.value, days)
    for c in RiskClass
    if c is not RiskClass.NORMAL and (days := leaves_after_days(c)) is not None
]
_LEAVABLE_CLASSES = [value for value, _ in _CUTOFFS]
_LEAVES_AFTER_DAYS = [days for _, days in _CUTOFFS]
# Over financing_applications_risk_watch; the first bound (the smallest cut-off) is the
# index range, the per-class cut-off a filter on it.
SELECT_DUE_FOR_RECLASSIFICATION_SQL = """SELECT * FROM financing_applications
   WHERE status = 'DISBURSED' AND overdue_since IS NOT NULL AND risk_class <> 'LOSS'
     AND maturity_date < $1::date - $4::integer
     AND maturity_date < $1::date - ($3::integer[])[array_position($2::text[], risk_class)]
     AND disbursed_fen > repaid_fen
   ORDER BY maturity_date, application_id LIMIT $5
   FOR UPDATE SKIP LOCKED"""


class PgApplicationRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, app: FinancingApplication) -> None:
        await self._conn.execute(
            """INSERT INTO financing_applications (application_id, enterprise_id, currency,
                   amount_fen, term_months, purpose, target_bank_ids, city_wide, submitted_at,
                   status, version)
               VALUES ($1,$2,$3,$4,$5,$6,$7::uuid[],$8,$9,$10,$11)""",
            app.application_id,
            app.enterprise_id,
            app.currency,
            app.amount_fen,
            app.term_months,
            app.purpose,
            list(app.target_bank_ids),
            app.city_wide,
            app.submitted_at,
            app.status.value,
            app.version,
        )

    async def get(self, application_id: str) -> FinancingApplication | None:
        return await self._fetch(application_id, "")

    async def get_for_update(self, application_id: str) -> FinancingApplication | None:
        """Row-locks the application: of two racing approvals, the second waits and
        then finds it decided."""
        return await self._fetch(application_id, " FOR UPDATE")

    async def _fetch(self, application_id: str, lock: str) -> FinancingApplication | None:
        key = canonical_uuid(application_id)
        if key is None:
            return None
        row = await self._conn.fetchrow(SELECT_APPLICATION_SQL + lock, key)
        return None if row is None else application_from_row(row)

    async def movements(
        self, application_id: str, after_sequence: int, limit: int
    ) -> list[MovementRecord]:
        rows = await self._conn.fetch(
            SELECT_MOVEMENTS_SQL, canonical_uuid(application_id), after_sequence, limit
        )
        return [
            MovementRecord(
                movement_id=str(r["movement_id"]),
                kind=r["kind"],
                amount_fen=r["amount_fen"],
                guarantee_fen=r["guarantee_fen"],
                credit_line_id=str(r["credit_line_id"]),
                occurred_at_iso=r["occurred_at"].isoformat(),
                sequence=r["line_version"],
                disbursed_after_fen=r["disbursed_after_fen"] or 0,
                repaid_after_fen=r["repaid_after_fen"] or 0,
            )
            for r in rows
        ]

    async def due_for_overdue(self, today: date, limit: int) -> list[FinancingApplication]:
        """Loans past maturity with principal outstanding, not yet marked; rows a
        running command holds are skipped (the next round takes them)."""
        rows = await self._conn.fetch(
            """SELECT * FROM financing_applications
               WHERE status = 'DISBURSED' AND overdue_since IS NULL AND maturity_date < $1
                 AND disbursed_fen > repaid_fen
               ORDER BY maturity_date, application_id LIMIT $2
               FOR UPDATE SKIP LOCKED""",
            today,
            limit,
        )
        return [application_from_row(r) for r in rows]

    async def due_for_reclassification(self, today: date, limit: int) -> list[FinancingApplication]:
        """Loans marked overdue, still owing, whose days past due put them in a worse
        class (FinancingApplication.reclassification_due); rows a running command holds
        (a repayment) are skipped: the next round takes them if they still owe."""
        rows = await self._conn.fetch(
            SELECT_DUE_FOR_RECLASSIFICATION_SQL,
            today,
            _LEAVABLE_CLASSES,
            _LEAVES_AFTER_DAYS,
            min(_LEAVES_AFTER_DAYS),
            limit,
        )
        return [application_from_row(r) for r in rows]

    async def due_to_lapse(
        self, today: date, valid_days: int, limit: int
    ) -> list[FinancingApplication]:
        """Approvals undrawn past their validity (FinancingApplication.has_lapsed); rows
        a running command holds (a drawdown) are skipped: if it draws, the application
        is no longer undrawn; if not, the next round takes it."""
        rows = await self._conn.fetch(
            """SELECT * FROM financing_applications
               WHERE status = 'APPROVED' AND disbursed_fen = 0
                 AND approved_on < $1::date - $2::integer
               ORDER BY approved_on, application_id LIMIT $3
               FOR UPDATE SKIP LOCKED""",
            today,
            valid_days,
            limit,
        )
        return [application_from_row(r) for r in rows]

    async def due_soon(
        self, today: date, notice_days: int, limit: int
    ) -> list[FinancingApplication]:
        """Loans still owing that mature within `notice_days` days and were not yet
        reminded of this maturity date (FinancingApplication.is_due_soon). The
        predicate repeats the due-soon index's, so the planner can use it; rows a
        running command holds are skipped (the next round takes them)."""
        rows = await self._conn.fetch(
            """SELECT * FROM financing_applications
               WHERE status = 'DISBURSED' AND overdue_since IS NULL
                 AND due_soon_notified_for IS DISTINCT FROM maturity_date
                 AND maturity_date BETWEEN $1::date AND $1::date + $2::integer
                 AND disbursed_fen > repaid_fen
               ORDER BY maturity_date, application_id LIMIT $3
               FOR UPDATE SKIP LOCKED""",
            today,
            notice_days,
            limit,
        )
        return [application_from_row(r) for r in rows]

    async def list(self, query: ApplicationQuery, today: date) -> list[FinancingApplication]:
        # A bank filters by the status it is shown: another bank's loan stays APPROVED
        # to it (FinancingApplication.as_seen_by_bank).
        rows = await self._conn.fetch(
            """SELECT * FROM financing_applications
               WHERE (($1::uuid IS NOT NULL AND enterprise_id = $1)
                      OR ($2::uuid IS NOT NULL AND target_bank_ids @> ARRAY[$2::uuid]))
                 AND application_id > $3
                 AND ($4 = '' OR (CASE WHEN $2::uuid IS NOT NULL AND bank_id <> $2::uuid
                                       THEN 'APPROVED' ELSE status END) = $4)
                 AND (NOT $6 OR (status = 'SUBMITTED'
                                 AND NOT declined_bank_ids @> ARRAY[$2::uuid]))
                 AND (NOT $7 OR (maturity_date < $8 AND disbursed_fen > repaid_fen
                                 AND ($2::uuid IS NULL OR bank_id = $2)))
                 AND ($9 = '' OR (CASE WHEN $2::uuid IS NOT NULL AND bank_id <> $2::uuid
                                       THEN 'NORMAL' ELSE risk_class END) = $9)
               ORDER BY application_id LIMIT $5""",
            canonical_uuid(query.enterprise_id),
            canonical_uuid(query.bank_id),
            query.after_id or "00000000-0000-0000-0000-000000000000",
            query.status,
            query.limit,
            query.awaiting_decision,
            query.overdue,
            today,
            query.risk_class,
        )
        return [application_from_row(r) for r in rows]

    async def update(self, app: FinancingApplication, previous_version: int) -> None:
        done = await self._conn.fetchval(
            UPDATE_APPLICATION_SQL,
            app.application_id,
            previous_version,
            list(app.declined_bank_ids),
            app.status.value,
            app.bank_id or None,
            app.credit_line_id or None,
            app.approved_fen,
            app.disbursed_fen,
            app.repaid_fen,
            app.guarantee_fen,
            app.version,
            app.first_drawn_on,
            app.maturity_date,
            app.overdue_since,
            app.compensated_fen,
            app.approved_on,
            app.due_soon_notified_for,
            app.extended_months,
            app.risk_class.value,
        )
        if not done:
            raise ConcurrentUpdate(f"application {app.application_id} changed concurrently")

    async def add_movement(
        self,
        movement_id: str,
        kind: str,
        app: FinancingApplication,
        amounts: tuple[int, int],
        line_version: int,
    ) -> None:
        await self._conn.execute(
            INSERT_MOVEMENT_SQL,
            movement_id,
            kind,
            app.credit_line_id,
            app.application_id,
            amounts[0],
            amounts[1],
            line_version,
        )


def application_from_row(row: asyncpg.Record) -> FinancingApplication:
    return FinancingApplication(
        application_id=str(row["application_id"]),
        enterprise_id=str(row["enterprise_id"]),
        currency=row["currency"],
        amount_fen=row["amount_fen"],
        term_months=row["term_months"],
        purpose=row["purpose"],
        target_bank_ids=tuple(str(b) for b in row["target_bank_ids"]),
        declined_bank_ids=tuple(str(b) for b in row["declined_bank_ids"]),
        city_wide=row["city_wide"],
        submitted_at=row["submitted_at"],
        status=ApplicationStatus(row["status"]),
        bank_id=str(row["bank_id"] or ""),
        credit_line_id=str(row["credit_line_id"] or ""),
        approved_fen=row["approved_fen"],
        disbursed_fen=row["disbursed_fen"],
        repaid_fen=row["repaid_fen"],
        compensated_fen=row["compensated_fen"],
        guarantee_fen=row["guarantee_fen"],
        first_drawn_on=row["first_drawn_on"],
        maturity_date=row["maturity_date"],
        overdue_since=row["overdue_since"],
        approved_on=row["approved_on"],
        due_soon_notified_for=row["due_soon_notified_for"],
        extended_months=row["extended_months"],
        risk_class=RiskClass(row["risk_class"]),
        version=row["version"],
    )


class PgGuarantorRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def get(self, guarantor_id: str) -> GuarantorCapacity | None:
        return await self._fetch(guarantor_id, "")

    async def get_for_update(self, guarantor_id: str) -> GuarantorCapacity | None:
        return await self._fetch(guarantor_id, " FOR UPDATE")

    async def _fetch(self, guarantor_id: str, lock: str) -> GuarantorCapacity | None:
        key = canonical_uuid(guarantor_id)
        if key is None:
            return None
        row = await self._conn.fetchrow(
            "SELECT * FROM guarantor_capacity WHERE guarantor_id = $1" + lock, key
        )
        if row is None:
            return None
        return GuarantorCapacity(
            str(row["guarantor_id"]),
            row["capacity_fen"],
            row["used_fen"],
            row["version"],
            row["capacity_version"],
        )

    async def lock_for_setting(self, guarantor_id: str) -> GuarantorCapacity | None:
        """The row locked, or None when there was none: then a placeholder row is
        inserted (and held) first, so two first settings of one guarantor serialise on
        it instead of both writing settings version 1."""
        created = await self._conn.fetchval(
            """INSERT INTO guarantor_capacity (guarantor_id, capacity_fen, used_fen, version)
               VALUES ($1, 0, 0, 1) ON CONFLICT (guarantor_id) DO NOTHING RETURNING true""",
            canonical_uuid(guarantor_id),
        )
        return None if created else await self.get_for_update(guarantor_id)

    async def save(self, capacity: GuarantorCapacity) -> None:
        await self._conn.execute(
            """INSERT INTO guarantor_capacity (guarantor_id, capacity_fen, used_fen, version,
                   capacity_version)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (guarantor_id) DO UPDATE SET capacity_fen = EXCLUDED.capacity_fen,
                   used_fen = EXCLUDED.used_fen, version = EXCLUDED.version,
                   capacity_version = EXCLUDED.capacity_version""",
            capacity.guarantor_id,
            capacity.capacity_fen,
            capacity.used_fen,
            capacity.version,
            capacity.capacity_version,
        )

    async def consume(self, capacity: GuarantorCapacity, share_fen: int) -> None:
        """Conditional like the line's drawdown: the database re-checks the capacity."""
        done = await self._conn.fetchval(
            """UPDATE guarantor_capacity SET used_fen = used_fen + $2, version = version + 1
               WHERE guarantor_id = $1 AND capacity_fen - used_fen >= $2 RETURNING true""",
            capacity.guarantor_id,
            share_fen,
        )
        if not done:
            raise GuarantorCapacityExceeded(f"guarantor {capacity.guarantor_id} is at capacity")

    async def loans(self, query: GuaranteedLoanQuery, today: date) -> list[FinancingApplication]:
        """The applications bound to the guarantor's lines, in id order. Its lines come
        from credit_lines_by_guarantor, their applications from
        financing_applications_by_line; a lender sees its loan's own status, and so
        does the guarantor. `overdue` is the lender's rule (FinancingApplication.is_overdue)."""
        rows = await self._conn.fetch(
            """SELECT a.* FROM financing_applications a
               JOIN credit_lines l ON l.credit_line_id = a.credit_line_id
               WHERE l.guarantor_id = $1 AND a.application_id > $2 AND ($3 = '' OR a.status = $3)
                 AND (NOT $5 OR (a.maturity_date < $6 AND a.disbursed_fen > a.repaid_fen))
                 AND ($7 = '' OR a.risk_class = $7)
               ORDER BY a.application_id LIMIT $4""",
            canonical_uuid(query.guarantor_id),
            query.after_id or "00000000-0000-0000-0000-000000000000",
            query.status,
            query.limit,
            query.overdue,
            today,
            query.risk_class,
        )
        return [application_from_row(r) for r in rows]
