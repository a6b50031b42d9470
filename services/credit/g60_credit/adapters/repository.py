"""asyncpg repositories: credit lines and the member read model."""

from __future__ import annotations

import asyncpg

from g60_credit.adapters.ids import uuid_or_none
from g60_credit.domain.model import CreditLine, CreditLineStatus, Product
from g60_credit.domain.parties import EnterpriseView, MemberView


class PgCreditLineRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, line: CreditLine) -> None:
        await self._conn.execute(
            """INSERT INTO credit_lines (credit_line_id, bank_id, enterprise_id, product, currency,
                   limit_fen, reserved_fen, utilized_fen, revolving, valid_from, valid_to,
                   guarantor_id, cover_ratio_bp, status, version)
               VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)""",
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
        )

    async def get(self, credit_line_id: str) -> CreditLine | None:
        key = uuid_or_none(credit_line_id)
        if key is None:
            return None
        row = await self._conn.fetchrow("SELECT * FROM credit_lines WHERE credit_line_id = $1", key)
        return None if row is None else line_from_row(row)


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
        status=CreditLineStatus(row["status"]),
        version=row["version"],
    )


class PgPartyRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def member(self, member_id: str) -> MemberView | None:
        key = uuid_or_none(member_id)
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
        key = uuid_or_none(enterprise_id)
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
