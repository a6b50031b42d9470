"""`python -m g60_gateway.credentials_cli`: issue, rotate and revoke API credentials.

issue  --type bank --principal <member id> [--scope S ...]
revoke --key-id <id>
rotate --key-id <id>     (issues a new key for the same principal, revokes the old)
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import asyncpg
from g60common.config import process_env

from g60_gateway.adapters.credentials import SCHEMA_SQL, issue_key, revoke_key
from g60_gateway.config import GatewaySettings
from g60_gateway.domain.principals import PrincipalType


async def issue(dsn: str, principal_type: str, principal_id: str, scopes: list[str]) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(SCHEMA_SQL.read_text())
        issued = await issue_key(conn, PrincipalType(principal_type), principal_id, scopes)
    finally:
        await conn.close()
    return issued.api_key


async def _rotate(dsn: str, key_id: str) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            row = await conn.fetchrow(
                "SELECT principal_type, principal_id, scopes FROM api_credentials "
                "WHERE key_id = $1 AND revoked_at IS NULL FOR UPDATE",
                key_id,
            )
            if row is None:
                raise SystemExit(f"no active key {key_id}")
            issued = await issue_key(
                conn, PrincipalType(row["principal_type"]), row["principal_id"], list(row["scopes"])
            )
            await revoke_key(conn, key_id)
    finally:
        await conn.close()
    return issued.api_key


async def _revoke(dsn: str, key_id: str) -> bool:
    conn = await asyncpg.connect(dsn)
    try:
        return await revoke_key(conn, key_id)
    finally:
        await conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_issue = sub.add_parser("issue")
    p_issue.add_argument("--type", required=True, choices=[t.value for t in PrincipalType])
    p_issue.add_argument("--principal", required=True)
    p_issue.add_argument("--scope", action="append", default=[])
    for name in ("revoke", "rotate"):
        sub.add_parser(name).add_argument("--key-id", required=True)
    args = parser.parse_args(argv)
    dsn = GatewaySettings.from_env(process_env()).postgres.dsn
    if args.command == "issue":
        print(asyncio.run(issue(dsn, args.type, args.principal, args.scope)))
    elif args.command == "rotate":
        print(asyncio.run(_rotate(dsn, args.key_id)))
    else:
        if not asyncio.run(_revoke(dsn, args.key_id)):
            print(f"no active key {args.key_id}", file=sys.stderr)
            return 1
        print(f"revoked {args.key_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
