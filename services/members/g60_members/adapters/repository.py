"""asyncpg repository for members and enterprises."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg
from g60common.corridor import Designation, Industry, InstitutionType, SizeClass
from g60common.ids import canonical_uuid

from g60_members.domain.errors import DuplicateUscc, StaleVersion
from g60_members.domain.listing import EnterpriseFilter, MemberFilter
from g60_members.domain.model import Enterprise, EnterpriseStatus, Member, MemberStatus

_LOCK = {False: "", True: " FOR UPDATE"}


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

    async def get_member(self, member_id: str, *, for_update: bool = False) -> Member | None:
        """With for_update, the row stays locked to the end of the transaction, so
        concurrent changes to one member queue up and the later ones see the new version."""
        key = canonical_uuid(member_id)
        if key is None:
            return None
        row = await self._conn.fetchrow(
            "SELECT * FROM members WHERE member_id = $1" + _LOCK[for_update], key
        )
        return _member_of(row) if row else None

    async def save_member(self, m: Member, previous_version: int) -> None:
        status = await self._conn.execute(
            """UPDATE members SET name = $3, short_name = $4, institution_type = $5,
                   home_city = $6, contact = $7, status = $8, version = $9
               WHERE member_id = $1 AND version = $2""",
            m.member_id,
            previous_version,
            m.name,
            m.short_name,
            m.institution_type.value,
            m.home_city,
            m.contact,
            m.status.value,
            m.version,
        )
        # The row lock makes this unreachable in practice; it guards against a
        # caller that skipped for_update.
        if status != "UPDATE 1":
            raise StaleVersion(m.member_id, previous_version, None)

    async def list_members(self, filters: MemberFilter, after_id: str, limit: int) -> list[Member]:
        rows = await self._conn.fetch(
            """SELECT * FROM members
               WHERE ($1 = '' OR home_city = $1) AND ($2 = '' OR institution_type = $2)
                 AND ($3 = '' OR status = $3) AND ($4::uuid IS NULL OR member_id > $4::uuid)
               ORDER BY member_id LIMIT $5""",
            filters.home_city,
            filters.institution_type,
            filters.status,
            canonical_uuid(after_id),
            limit,
        )
        return [_member_of(row) for row in rows]

    async def add_enterprise(self, e: Enterprise) -> None:
        try:
            await self._conn.execute(
                """INSERT INTO enterprises (enterprise_id, name, uscc, city, region_code, industry,
                        industry_code, size_class, designations, registered_capital_fen, status,
                        version, contact)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)""",
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
                e.contact,
            )
        except asyncpg.UniqueViolationError as exc:
            raise DuplicateUscc(e.uscc) from exc

    async def get_enterprise(
        self, enterprise_id: str, *, for_update: bool = False
    ) -> Enterprise | None:
        key = canonical_uuid(enterprise_id)
        if key is None:
            return None
        row = await self._conn.fetchrow(
            "SELECT * FROM enterprises WHERE enterprise_id = $1" + _LOCK[for_update], key
        )
        return _enterprise_of(row) if row else None

    async def save_enterprise(self, e: Enterprise, previous_version: int) -> None:
        status = await self._conn.execute(
            """UPDATE enterprises SET name = $3, city = $4, region_code = $5, industry = $6,
                   industry_code = $7, size_class = $8, designations = $9,
                   registered_capital_fen = $10, status = $11, version = $12, contact = $13
               WHERE enterprise_id = $1 AND version = $2""",
            e.enterprise_id,
            previous_version,
            e.name,
            e.city,
            e.region_code,
            e.industry.value,
            e.industry_code,
            e.size_class.value,
            [d.value for d in e.designations],
            e.registered_capital_fen,
            e.status.value,
            e.version,
            e.contact,
        )
        if status != "UPDATE 1":
            raise StaleVersion(e.enterprise_id, previous_version, None)

    async def list_enterprises(
        self, filters: EnterpriseFilter, after_id: str, limit: int
    ) -> list[Enterprise]:
        rows = await self._conn.fetch(
            """SELECT * FROM enterprises
               WHERE ($1 = '' OR city = $1) AND ($2 = '' OR industry = $2)
                 AND ($3 = '' OR size_class = $3) AND ($4 = '' OR status = $4)
                 AND ($5::uuid IS NULL OR enterprise_id > $5::uuid)
               ORDER BY enterprise_id LIMIT $6""",
            filters.city,
            filters.industry,
            filters.size_class,
            filters.status,
            canonical_uuid(after_id),
            limit,
        )
        return [_enterprise_of(row) for row in rows]


def _member_of(row: Mapping[str, Any]) -> Member:
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


def _enterprise_of(row: Mapping[str, Any]) -> Enterprise:
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
        contact=row["contact"],
    )
