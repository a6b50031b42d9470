"""asyncpg repositories: credit lines and the member read model."""

from __future__ import annotations

from datetime import date

import asyncpg
from g60common.ids import canonical_uuid

from g60_credit.domain.errors import ConcurrentUpdate, CreditLimitExceeded
from g60_credit.domain.model import CreditLine, CreditLineStatus, Product
from g60_credit.domain.parties import EnterpriseView, MemberView
from g60_credit.domain.queries import LineQuery

# Module constants, so the benchmark's direct-SQL baseline sends these very statements.
INSERT_LINE_SQL = """INSERT INTO credit_lines (credit_line_id, bank_id, enterprise_id, product,
       currency, limit_fen, reserved_fen, utilized_fen, revolving, valid_from, valid_to,
       guarantor_id, cover_ratio_bp, status, version, outstanding_fen)
   VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)"""
SELECT_LINE_SQL = "SELECT * FROM credit_lines WHERE credit_line_id = $1"
DRAW_DOWN_SQL = """UPDATE credit_lines SET utilized_fen = utilized_fen + $3,
       outstanding_fen = outstanding_fen + $3, version = version + 1
   WHERE credit_line_id = $1 AND version = $2 AND status = 'ACTIVE'
     AND limit_fen - reserved_fen - utilized_fen >= $3
   RETURNING version"""
PARTY_PAIR_SQL = """SELECT m.member_id, m.institution_type, m.home_city, m.status AS m_status,
          m.version AS m_version, e.enterprise_id, e.city, e.region_code,
          e.industry, e.size_class, e.status AS e_status, e.version AS e_version
   FROM (SELECT 1) AS one
   LEFT JOIN member_view m ON m.member_id = $1
   LEFT JOIN enterprise_view e ON e.enterprise_id = $2"""


# Names go into the SQL text: they come from this table, never from a caller.
_OWNER_COLUMNS = {"bank": "bank_id", "enterprise": "enterprise_id", "guarantor": "guarantor_id"}


class PgCreditLineRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, line: CreditLine) -> None:
        await self._conn.execute(
            INSERT_LINE_SQL,
            line.credit_line_id,
            line.bank_id,
            line.enterprise_id,
            line.product.value,
            line.currency,
            line.limit_fen,
            line.reserved_fen,
            line.utilized_fen,
            line.revolving,
            line.valid_from,
            line.valid_to,
            line.guarantor_id or None,
            line.cover_ratio_bp,
            line.status.value,
            line.version,
            line.outstanding_fen,
        )

    async def get(self, credit_line_id: str) -> CreditLine | None:
        return await self._fetch(credit_line_id, "")

    async def get_for_update(self, credit_line_id: str) -> CreditLine | None:
        """Row-locks the line: commands on one line run one after another."""
        return await self._fetch(credit_line_id, " FOR UPDATE")

    async def _fetch(self, credit_line_id: str, lock: str) -> CreditLine | None:
        key = canonical_uuid(credit_line_id)
        if key is None:
            return None
        row = await self._conn.fetchrow(SELECT_LINE_SQL + lock, key)
        return None if row is None else line_from_row(row)

    async def update(self, line: CreditLine, previous_version: int) -> None:
        """Writes the line's new state; the version guard catches a lost lock, and the
        CHECK constraints refuse any state with negative available credit."""
        done = await self._conn.fetchval(
            """UPDATE credit_lines SET limit_fen = $3, reserved_fen = $4, utilized_fen = $5,
                   outstanding_fen = $6, status = $7, version = $8
               WHERE credit_line_id = $1 AND version = $2 RETURNING true""",
            line.credit_line_id,
            previous_version,
            line.limit_fen,
            line.reserved_fen,
            line.utilized_fen,
            line.outstanding_fen,
            line.status.value,
            line.version,
        )
        if not done:
            raise ConcurrentUpdate(f"credit line {line.credit_line_id} changed concurrently")

    async def draw_down(self, line: CreditLine, amount_fen: int) -> None:
        """The database re-checks available credit itself: even a bug above this
        line cannot overdraw, whatever the interleaving."""
        done = await self._conn.fetchval(
            DRAW_DOWN_SQL,
            line.credit_line_id,
            line.version - 1,
            amount_fen,
        )
        if done != line.version:
            raise CreditLimitExceeded(f"{amount_fen} fen exceeds the available credit")

    async def list_visible(self, query: LineQuery) -> list[CreditLine]:
        owner_column = _OWNER_COLUMNS[query.viewer.kind]
        rows = await self._conn.fetch(
            f"""SELECT * FROM credit_lines
               WHERE {owner_column} = $1 AND credit_line_id > $2
                 AND ($3 = '' OR status = $3) AND ($4::uuid IS NULL OR enterprise_id = $4)
               ORDER BY credit_line_id LIMIT $5""",
            query.viewer.party_id,
            query.after_id or "00000000-0000-0000-0000-000000000000",
            query.status,
            query.enterprise_id or None,
            query.limit,
        )
        return [line_from_row(r) for r in rows]

    async def due_for_expiry(self, today: date, limit: int) -> list[CreditLine]:
        """Locks a batch of lines past their window, skipping lines another
        transaction holds (a drawdown or a second sweeper)."""
        rows = await self._conn.fetch(
            """SELECT * FROM credit_lines
               WHERE status IN ('ACTIVE', 'FROZEN') AND valid_to < $1
               ORDER BY valid_to LIMIT $2 FOR UPDATE SKIP LOCKED""",
            today,
            limit,
        )
        return [line_from_row(r) for r in rows]


def line_from_row(row: asyncpg.Record) -> CreditLine:
    return CreditLine(
        credit_line_id=str(row["credit_line_id"]),
        bank_id=str(row["bank_id"]),
        enterprise_id=str(row["enterprise_id"]),
        product=Product(row["product"]),
        currency=row["currency"],
        limit_fen=row["limit_fen"],
        revolving=row["revolving"],
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
        guarantor_id=str(row["guarantor_id"] or ""),
        cover_ratio_bp=row["cover_ratio_bp"],
        reserved_fen=row["reserved_fen"],
        utilized_fen=row["utilized_fen"],
        outstanding_fen=row["outstanding_fen"],
        status=CreditLineStatus(row["status"]),
        version=row["version"],
    )


class PgPartyRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def member(self, member_id: str) -> MemberView | None:
        key = canonical_uuid(member_id)
        row = key and await self._conn.fetchrow(
            "SELECT * FROM member_view WHERE member_id = $1", key
        )
        if not row:
            return None
        return MemberView(
            member_id=str(row["member_id"]),
            institution_type=row["institution_type"],
            home_city=row["home_city"],
            status=row["status"],
            version=row["version"],
        )

    async def enterprise(self, enterprise_id: str) -> EnterpriseView | None:
        key = canonical_uuid(enterprise_id)
        row = key and await self._conn.fetchrow(
            "SELECT * FROM enterprise_view WHERE enterprise_id = $1", key
        )
        if not row:
            return None
        return EnterpriseView(
            enterprise_id=str(row["enterprise_id"]),
            city=row["city"],
            region_code=row["region_code"],
            industry=row["industry"],
            size_class=row["size_class"],
            status=row["status"],
            version=row["version"],
        )

    async def pair(
        self, bank_id: str, enterprise_id: str
    ) -> tuple[MemberView | None, EnterpriseView | None]:
        """Both views in one round trip (every event needs both)."""
        row = await self._conn.fetchrow(
            PARTY_PAIR_SQL,
            canonical_uuid(bank_id),
            canonical_uuid(enterprise_id),
        )
        assert row is not None
        bank = None
        if row["member_id"] is not None:
            bank = MemberView(
                str(row["member_id"]),
                row["institution_type"],
                row["home_city"],
                row["m_status"],
                row["m_version"],
            )
        enterprise = None
        if row["enterprise_id"] is not None:
            enterprise = EnterpriseView(
                str(row["enterprise_id"]),
                row["city"],
                row["region_code"],
                row["industry"],
                row["size_class"],
                row["e_status"],
                row["e_version"],
            )
        return bank, enterprise

    async def active_banks_in_city(self, city: str, limit: int) -> list[MemberView]:
        rows = await self._conn.fetch(
            """SELECT * FROM member_view WHERE institution_type = 'BANK' AND status = 'ACTIVE'
               AND home_city = $1 ORDER BY member_id LIMIT $2""",
            city,
            limit,
        )
        return [
            MemberView(
                str(r["member_id"]),
                r["institution_type"],
                r["home_city"],
                r["status"],
                r["version"],
            )
            for r in rows
        ]


async def upsert_member_view(conn: asyncpg.Connection, m: MemberView) -> None:
    """Newer versions win; replays and stale events change nothing."""
    await conn.execute(
        """INSERT INTO member_view (member_id, institution_type, home_city, status, version)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (member_id) DO UPDATE SET institution_type = EXCLUDED.institution_type,
               home_city = EXCLUDED.home_city, status = EXCLUDED.status, version = EXCLUDED.version
           WHERE member_view.version < EXCLUDED.version""",
        m.member_id,
        m.institution_type,
        m.home_city,
        m.status,
        m.version,
    )


async def upsert_enterprise_view(conn: asyncpg.Connection, e: EnterpriseView) -> None:
    await conn.execute(
        """INSERT INTO enterprise_view (enterprise_id, city, region_code, industry, size_class,
               status, version)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (enterprise_id) DO UPDATE SET city = EXCLUDED.city,
               region_code = EXCLUDED.region_code, industry = EXCLUDED.industry,
               size_class = EXCLUDED.size_class, status = EXCLUDED.status,
               version = EXCLUDED.version
           WHERE enterprise_view.version < EXCLUDED.version""",
        e.enterprise_id,
        e.city,
        e.region_code,
        e.industry,
        e.size_class,
        e.status,
        e.version,
    )
