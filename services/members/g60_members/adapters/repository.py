"""asyncpg repository for members and enterprises."""

from __future__ import annotations

import uuid

import asyncpg
from g60common.corridor import Designation, Industry, InstitutionType, SizeClass

from g60_members.domain.errors import DuplicateUscc
from g60_members.domain.model import Enterprise, EnterpriseStatus, Member, MemberStatus


class PgMembersRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add_member(self, m: Member) -> None:
        try:
            await self._conn.execute(
                """INSERT INTO members (member_id, name, short_name, institution_type, home_city,
                                        uscc, contact, status, joined_at, version)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
                m.member_id,
                m.name,
                m.short_name,
                m.institution_type.value,
                m.home_city,
                m.uscc,
                m.contact,
                m.status.value,
                m.joined_at,
                m.version,
            )
        except asyncpg.UniqueViolationError as exc:
            raise DuplicateUscc(m.uscc) from exc

    async def get_member(self, member_id: str) -> Member | None:
        key = _uuid_or_none(member_id)
        row = (
            await self._conn.fetchrow("SELECT * FROM members WHERE member_id = $1", key)
            if key
            else None
        )
        if row is None:
            return None
        return Member(
            member_id=str(row["member_id"]),
            name=row["name"],
            short_name=row["short_name"],
            institution_type=InstitutionType(row["institution_type"]),
            home_city=row["home_city"],
            uscc=row["uscc"],
            contact=row["contact"],
            status=MemberStatus(row["status"]),
            joined_at=row["joined_at"],
            version=row["version"],
        )

    async def add_enterprise(self, e: Enterprise) -> None:
        try:
            await self._conn.execute(
                """INSERT INTO enterprises (enterprise_id, name, uscc, city, region_code, industry,
                        industry_code, size_class, designations, registered_capital_fen, status,
                        version)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)""",
                e.enterprise_id,
                e.name,
                e.uscc,
                e.city,
                e.region_code,
                e.industry.value,
                e.industry_code,
                e.size_class.value,
                [d.value for d in e.designations],
                e.registered_capital_fen,
                e.status.value,
                e.version,
            )
        except asyncpg.UniqueViolationError as exc:
            raise DuplicateUscc(e.uscc) from exc

    async def get_enterprise(self, enterprise_id: str) -> Enterprise | None:
        key = _uuid_or_none(enterprise_id)
        row = (
            await self._conn.fetchrow("SELECT * FROM enterprises WHERE enterprise_id = $1", key)
            if key
            else None
        )
        if row is None:
            return None
        return Enterprise(
            enterprise_id=str(row["enterprise_id"]),
            name=row["name"],
            uscc=row["uscc"],
            city=row["city"],
            region_code=row["region_code"],
            industry=Industry(row["industry"]),
            industry_code=row["industry_code"],
            size_class=SizeClass(row["size_class"]),
            designations=tuple(Designation(d) for d in row["designations"]),
            registered_capital_fen=row["registered_capital_fen"],
            status=EnterpriseStatus(row["status"]),
            version=row["version"],
        )


def _uuid_or_none(value: str) -> str | None:
    """Ids are UUIDs; anything else cannot exist, so it is simply not found."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None
