"""API credentials stored hashed in PostgreSQL.

A key reads `g60_<key_id>_<secret>`. Only SHA-256 of the 256-bit random secret is
stored: with that much entropy a slow password hash adds nothing, and lookups stay
cheap on every request. Revocation is a column read on every request, so it takes
effect immediately.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from g60_gateway.domain.principals import Principal, PrincipalType

SCHEMA_SQL = Path(__file__).with_name("schema.sql")
KEY_PREFIX = "g60"


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    api_key: str


def _hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def split_key(api_key: str) -> tuple[str, str] | None:
    parts = api_key.split("_", 2)  # the secret itself may contain "_"
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


async def issue_key(
    conn: asyncpg.Connection, principal_type: PrincipalType, principal_id: str, scopes: list[str]
) -> IssuedKey:
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    await conn.execute(
        """INSERT INTO api_credentials (key_id, secret_sha256, principal_type, principal_id, scopes)
           VALUES ($1, $2, $3, $4, $5)""",
        key_id,
        _hash(secret),
        principal_type.value,
        principal_id,
        scopes,
    )
    return IssuedKey(key_id=key_id, api_key=f"{KEY_PREFIX}_{key_id}_{secret}")


async def revoke_key(conn: asyncpg.Connection, key_id: str) -> bool:
    status = await conn.execute(
        "UPDATE api_credentials SET revoked_at = now() WHERE key_id = $1 AND revoked_at IS NULL",
        key_id,
    )
    return bool(status != "UPDATE 0")


def _principal(key_id: str, row: asyncpg.Record) -> Principal:
    return Principal(
        key_id=key_id,
        principal_type=PrincipalType(row["principal_type"]),
        principal_id=row["principal_id"],
        scopes=frozenset(row["scopes"]),
    )


async def authenticate_and_claim(
    pool: asyncpg.Pool, api_key: str, idem_key: str, print_: bytes, lease_s: float
) -> tuple[Principal, bool] | None:
    """Authenticate and claim the Idempotency-Key in one statement (one round trip
    instead of two on every POST). None: the key is unknown, wrong or revoked, and
    nothing was written. Otherwise the principal, and whether this request now owns
    the claim (False: another request holds it or finished it; `idempotency.claim`
    then waits for or replays that one).

    The digest is compared by PostgreSQL rather than in constant time: what timing
    could reveal is a prefix of SHA-256 of a 256-bit random secret, which brings an
    attacker no closer to a matching secret."""
    parts = split_key(api_key)
    if parts is None:
        return None
    key_id, secret = parts
    row = await pool.fetchrow(
        """WITH credential AS (
               SELECT principal_type, principal_id, scopes FROM api_credentials
               WHERE key_id = $1 AND secret_sha256 = $2 AND revoked_at IS NULL),
           claimed AS (
               INSERT INTO http_idempotency (key_id, idem_key, fingerprint)
               SELECT $1, $3, $4 FROM credential
               ON CONFLICT (key_id, idem_key) DO UPDATE SET claimed_at = now()
                   WHERE http_idempotency.status IS NULL
                     AND http_idempotency.fingerprint = excluded.fingerprint
                     AND http_idempotency.claimed_at < now() - make_interval(secs => $5)
               RETURNING 1)
           SELECT credential.*, EXISTS (SELECT 1 FROM claimed) AS mine FROM credential""",
        key_id,
        _hash(secret),
        idem_key,
        print_,
        lease_s,
    )
    if row is None:
        return None
    return _principal(key_id, row), bool(row["mine"])


async def authenticate(pool: asyncpg.Pool, api_key: str) -> Principal | None:
    parts = split_key(api_key)
    if parts is None:
        return None
    key_id, secret = parts
    row = await pool.fetchrow(
        """SELECT secret_sha256, principal_type, principal_id, scopes FROM api_credentials
           WHERE key_id = $1 AND revoked_at IS NULL""",
        key_id,
    )
    if row is None or not hmac.compare_digest(bytes(row["secret_sha256"]), _hash(secret)):
        return None
    return _principal(key_id, row)
