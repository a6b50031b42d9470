"""Credentials of enterprises beyond plain issue/revoke: the key a sign-up gets, and
revoking every key of an enterprise the office rejected or deregistered."""

from __future__ import annotations

import asyncpg
from g60common.ids import normalized_id

from g60_gateway.adapters.credentials import IssuedKey, issue_key
from g60_gateway.domain.principals import PrincipalType
from g60_gateway.domain.signup import SELF_REGISTERED_SCOPE

_ENTERPRISE = PrincipalType.ENTERPRISE.value
_LOCK_SPACE = 60  # pg_advisory_xact_lock(60, hashtext(enterprise id))


async def issue_self_registration_key(pool: asyncpg.Pool, enterprise_id: str) -> IssuedKey:
    """A fresh key, stored hashed. A sign-up runs again only when its first run never
    answered (crash, 5xx): any key that run issued was never shown, so it is revoked
    here, in the same transaction, and one self-registration key stays live."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "SELECT pg_advisory_xact_lock($1, hashtext($2))", _LOCK_SPACE, enterprise_id
        )
        await conn.execute(
            """UPDATE api_credentials SET revoked_at = now()
               WHERE principal_type = $1 AND principal_id = $2 AND $3 = ANY(scopes)
                 AND revoked_at IS NULL""",
            _ENTERPRISE,
            enterprise_id,
            SELF_REGISTERED_SCOPE,
        )
        return await issue_key(
            conn, PrincipalType.ENTERPRISE, enterprise_id, [SELF_REGISTERED_SCOPE]
        )


async def revoke_enterprise_keys(pool: asyncpg.Pool, enterprise_id: str) -> int:
    """Every live key of the enterprise; effective on the next request. Returns how many.
    Keys store the id canonical, so any other spelling is brought to that form: one
    that matched nothing left a rejected enterprise's keys working."""
    status = await pool.execute(
        """UPDATE api_credentials SET revoked_at = now()
           WHERE principal_type = $1 AND principal_id = $2 AND revoked_at IS NULL""",
        _ENTERPRISE,
        normalized_id(enterprise_id),
    )
    return int(status.rsplit(" ", 1)[1])
