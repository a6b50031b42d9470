"""`python -m g60_gateway.credentials_cli`: issue, rotate and revoke API credentials.

issue  --type bank --principal <member id> [--scope S ...]
       (a bank or enterprise must exist in the members service, reached at
       G60_MEMBERS_GRPC_TARGET; an operator's principal is a free label)
revoke --key-id <id>
rotate --key-id <id>     (issues a new key for the same principal, revokes the old)
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import asyncpg
import grpc
from g60.members.v1 import members_pb2_grpc
from g60common.config import process_env
from g60common.correlation import (
    CALLER_ID_KEY,
    CALLER_TYPE_KEY,
    CORRELATION_HEADER,
    new_correlation_id,
)

from g60_gateway.adapters.credentials import SCHEMA_SQL, issue_key, revoke_key
from g60_gateway.adapters.principal_directory import check_principal
from g60_gateway.config import GatewaySettings
from g60_gateway.domain.principals import (
    InvalidScopes,
    PrincipalClosed,
    PrincipalType,
    UnknownPrincipal,
    canonical_principal_id,
    check_scopes,
)

CLI_CALLER_ID = "credentials-cli"  # who the members service sees asking


async def issue(
    settings: GatewaySettings, principal_type: PrincipalType, principal_id: str, scopes: list[str]
) -> str:
    """Like POST /v1/credentials: scopes are checked, a bank or enterprise must exist in
    the members service, and its id is stored canonical. Refusals exit with the reason
    on stderr."""
    try:
        check_scopes(scopes)
    except InvalidScopes as exc:
        raise SystemExit(f"--scope: {exc}") from None
    try:
        principal_id = canonical_principal_id(principal_type, principal_id)
        if principal_type is not PrincipalType.OPERATOR:
            await _check_with_members(settings, principal_type, principal_id)
    except (UnknownPrincipal, PrincipalClosed) as exc:
        raise SystemExit(f"--principal {principal_id}: {exc}") from None
    except grpc.aio.AioRpcError as error:
        target = settings.members_target
        raise SystemExit(f"members service at {target}: {error.code().name}") from None
    conn = await asyncpg.connect(settings.postgres.dsn)
    try:
        await conn.execute(SCHEMA_SQL.read_text())
        issued = await issue_key(conn, principal_type, principal_id, scopes)
    finally:
        await conn.close()
    return issued.api_key


async def _check_with_members(
    settings: GatewaySettings, principal_type: PrincipalType, principal_id: str
) -> None:
    metadata = (
        (CALLER_TYPE_KEY, PrincipalType.OPERATOR.value),
        (CALLER_ID_KEY, CLI_CALLER_ID),
        (CORRELATION_HEADER, new_correlation_id()),
    )
    async with grpc.aio.insecure_channel(settings.members_target) as channel:
        members = members_pb2_grpc.MembersServiceStub(channel)
        await check_principal(
            members, principal_type, principal_id, metadata, settings.grpc_deadline_s
        )


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
    settings = GatewaySettings.from_env(process_env())
    dsn = settings.postgres.dsn
    if args.command == "issue":
        principal_type = PrincipalType(args.type)
        print(asyncio.run(issue(settings, principal_type, args.principal, args.scope)))
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
