"""`python -m g60_members.import_csv {members|enterprises} FILE.csv --target HOST:PORT`

Bulk registration through the members gRPC API, so every row passes the same
validation, idempotency and outbox path as any other registration. Each row is
written completely or reported with its line number and reason. Re-running is safe:
request ids derive from the USCC, so rows already imported come back as "already
present" instead of being registered twice.

Exit status: 0 when every row is written or already present, 1 when some rows
failed, 2 when the file or arguments are unusable.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from g60.members.v1 import members_pb2, members_pb2_grpc
from g60common.config import process_env
from g60common.correlation import CALLER_ID_KEY, CALLER_TYPE_KEY
from g60common.grpc_errors import field_violations_of
from tqdm import tqdm

from g60_members.entrypoints.csv_rows import BadFile, Request, Row, read_rows
from g60_members.entrypoints.grpc_translation import REPLAY_METADATA_KEY

CALL_DEADLINE_S = 10.0
MAX_ATTEMPTS = 5
MAX_CONCURRENCY = 64
RETRYABLE = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})
# One fixed caller: idempotency is scoped per caller, so re-runs must present the same one.
METADATA = ((CALLER_TYPE_KEY, "importer"), (CALLER_ID_KEY, "csv"))


@dataclass
class Summary:
    written: int = 0
    already_present: int = 0
    failures: list[tuple[int, str]] = field(default_factory=list)

    def render(self, kind: str) -> str:
        return (
            f"{kind}: {self.written} written, {self.already_present} already present, "
            f"{len(self.failures)} failed"
        )


async def _register(stub: members_pb2_grpc.MembersServiceStub, request: Request) -> bool:
    """True when written now, False when a replay of an earlier import."""
    is_member = isinstance(request, members_pb2.RegisterMemberRequest)
    method = stub.RegisterMember if is_member else stub.RegisterEnterprise
    for attempt in range(MAX_ATTEMPTS):
        try:
            call = method(request, timeout=CALL_DEADLINE_S, metadata=METADATA)
            await call
            trailing = dict(await call.trailing_metadata() or ())
            return trailing.get(REPLAY_METADATA_KEY) != "true"
        except grpc.aio.AioRpcError as exc:
            # Retrying is safe: the request id makes the call idempotent.
            if exc.code() not in RETRYABLE or attempt == MAX_ATTEMPTS - 1:
                raise
            await asyncio.sleep(min(0.2 * 2**attempt, 5.0))
    raise AssertionError("unreachable")


def _record_failure(summary: Summary, line: int, exc: grpc.aio.AioRpcError) -> None:
    violations = field_violations_of(exc)
    if exc.code() == grpc.StatusCode.ALREADY_EXISTS or set(violations) == {"request_id"}:
        # Registered before (by another route, or by an earlier run of a changed file).
        summary.already_present += 1
    elif violations:
        reason = "; ".join(f"{f}: {d}" for f, d in violations.items())
        summary.failures.append((line, reason))
    else:
        summary.failures.append((line, f"{exc.code().name}: {exc.details()}"))


async def _import_row(
    stub: members_pb2_grpc.MembersServiceStub, row: Row, summary: Summary
) -> None:
    if row.request is None:
        summary.failures.append((row.line, row.error))
        return
    try:
        written = await _register(stub, row.request)
    except grpc.aio.AioRpcError as exc:
        _record_failure(summary, row.line, exc)
        return
    if written:
        summary.written += 1
    else:
        summary.already_present += 1


async def import_rows(
    rows: Sequence[Row], target: str, concurrency: int, progress: bool = True
) -> Summary:
    summary = Summary()
    queue: asyncio.Queue[Row] = asyncio.Queue()
    for row in rows:
        queue.put_nowait(row)
    async with grpc.aio.insecure_channel(target) as channel:
        stub = members_pb2_grpc.MembersServiceStub(channel)
        with tqdm(total=len(rows), unit="row", disable=not progress) as bar:

            async def worker() -> None:
                while not queue.empty():
                    row = queue.get_nowait()
                    await _import_row(stub, row, summary)
                    bar.update(1)

            await asyncio.gather(*(worker() for _ in range(concurrency)))
    summary.failures.sort()
    return summary


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m g60_members.import_csv",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("kind", choices=("members", "enterprises"))
    parser.add_argument("file", type=Path, help="UTF-8 CSV with a header row")
    default_target = process_env().get("G60_MEMBERS_GRPC_TARGET", "127.0.0.1:50051")
    parser.add_argument("--target", default=default_target, help="members gRPC HOST:PORT")
    parser.add_argument("--concurrency", type=int, default=16, help=f"1..{MAX_CONCURRENCY}")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    args = parser.parse_args(argv)
    if not 1 <= args.concurrency <= MAX_CONCURRENCY:
        parser.error(f"--concurrency must be 1..{MAX_CONCURRENCY}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    try:
        rows = list(read_rows(args.file, args.kind))
    except (OSError, UnicodeDecodeError, BadFile) as exc:
        print(f"cannot import {args.file}: {exc}", file=sys.stderr)
        return 2
    summary = asyncio.run(
        import_rows(rows, args.target, args.concurrency, progress=not args.no_progress)
    )
    for line, reason in summary.failures:
        print(f"line {line}: {reason}")
    print(summary.render(args.kind))
    return 1 if summary.failures else 0


if __name__ == "__main__":
    sys.exit(main())
