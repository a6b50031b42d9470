"""Read-through to the members service for parties the read model has not seen yet.

Known parties are answered locally, so credit keeps working while members is down;
only a never-seen id needs the members service (deadline-bounded)."""

from __future__ import annotations

import asyncio

import asyncpg
import grpc
from g60.members.v1 import members_pb2, members_pb2_grpc
from g60common.config import DEFAULT_TRANSACTION_TIMEOUT_S

from g60_credit.adapters.member_projection import enterprise_view_of, member_view_of
from g60_credit.adapters.repository import (
    PgPartyRepository,
    upsert_enterprise_view,
    upsert_member_view,
)

LOOKUP_DEADLINE_S = 2.0


class MembersUnavailable(Exception):
    """A party unknown to the read model could not be looked up."""


class ReadThroughPartyDirectory:
    def __init__(
        self,
        pool: asyncpg.Pool,
        members: members_pb2_grpc.MembersServiceStub,
        timeout_s: float = DEFAULT_TRANSACTION_TIMEOUT_S,
    ) -> None:
        self._pool = pool
        self._members = members
        self._timeout_s = timeout_s

    async def ensure_known(self, member_ids: list[str], enterprise_ids: list[str]) -> None:
        # One deadline, as a unit of work has: the request pool's statements carry none.
        async with asyncio.timeout(self._timeout_s), self._pool.acquire() as conn:
            parties = PgPartyRepository(conn)
            for member_id in member_ids:
                if await parties.member(member_id) is None:
                    await self._fetch_member(conn, member_id)
            for enterprise_id in enterprise_ids:
                if await parties.enterprise(enterprise_id) is None:
                    await self._fetch_enterprise(conn, enterprise_id)

    async def _fetch_member(self, conn: asyncpg.Connection, member_id: str) -> None:
        try:
            member = await self._members.GetMember(
                members_pb2.GetMemberRequest(member_id=member_id), timeout=LOOKUP_DEADLINE_S
            )
        except grpc.aio.AioRpcError as exc:
            _raise_unless_not_found(exc)
            return
        await upsert_member_view(conn, member_view_of(member))

    async def _fetch_enterprise(self, conn: asyncpg.Connection, enterprise_id: str) -> None:
        try:
            enterprise = await self._members.GetEnterprise(
                members_pb2.GetEnterpriseRequest(enterprise_id=enterprise_id),
                timeout=LOOKUP_DEADLINE_S,
            )
        except grpc.aio.AioRpcError as exc:
            _raise_unless_not_found(exc)
            return
        await upsert_enterprise_view(conn, enterprise_view_of(enterprise))


def _raise_unless_not_found(exc: grpc.aio.AioRpcError) -> None:
    """NOT_FOUND means unknown; the handler then refuses the party itself."""
    if exc.code() != grpc.StatusCode.NOT_FOUND:
        raise MembersUnavailable(f"members service: {exc.code().name}") from exc
