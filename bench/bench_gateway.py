"""Gateway benchmark: credit-line registration through REST (auth, rate limit,
Idempotency-Key store, JSON <-> gRPC) against the same call made directly to the
credit gRPC service, in the same run, on the same platform.

    .venv/bin/python bench/bench_gateway.py [--ops 2000] [--concurrency 16] [--rounds 3]

Starts a fresh PostgreSQL + Kafka stack and the whole platform (as the e2e tests do),
and stops them afterwards. The two paths alternate for a few rounds (machine load
drifts); the figure is each path's median round, with p50/p99 over all rounds.

The HTTP side uses a minimal keep-alive HTTP/1.1 client (one connection per worker):
on two cores httpx itself burned as much CPU as the gateway, which measured the
client rather than the gateway. The gRPC side uses the ordinary grpc.aio stub.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
import uuid
from pathlib import Path

import grpc
import httpx
from cpu import POSTGRES, CpuSplit
from figures import Figures, measure, median_round
from g60.credit.v1 import credit_pb2, credit_pb2_grpc
from g60_gateway.domain.rate_limit import MAX_RATE_PER_S
from g60common.correlation import CALLER_ID_KEY, CALLER_TYPE_KEY
from g60common.launcher import Platform, start_platform
from g60common.platform_cli import issue_operator_key
from g60common.stack import Stack, start_stack
from g60common.uscc import make_uscc

HEFEI = "340100"
WARM_UP_OPS = 1500
LINE = {
    "product": "TECHNOLOGY_LOAN",
    "currency": "CNY",
    "limit_fen": 100_000_000,
    "revolving": True,
    "valid_from": "2026-01-01",
    "valid_to": "2027-12-31",
}


class RawHttp:
    """One keep-alive HTTP/1.1 connection; enough for JSON POSTs with Content-Length."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        request = (
            f"POST {path} HTTP/1.1\r\nhost: {self.host}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\n{head}\r\n".encode()
            + body
        )
        status_line = await self._send(request)
        if not status_line:
            # The server closed an idle keep-alive connection (uvicorn's 5 s timeout,
            # e.g. while the other path ran): reconnect and send again, which the
            # Idempotency-Key makes safe.
            await self.close()
            status_line = await self._send(request)
        assert self.reader is not None
        status = int(status_line.split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    async def _send(self, request: bytes) -> bytes:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(request)
        return await self.reader.readline()

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


def _setup(gateway: str, operator_key: str) -> tuple[str, str, str]:
    """A bank with an unthrottled key, and an enterprise: (bank id, bank key, enterprise)."""
    with httpx.Client(base_url=gateway, timeout=30) as client:

        def post(path: str, key: str, body: dict[str, object]) -> dict[str, object]:
            headers = {"X-API-Key": key, "Idempotency-Key": str(uuid.uuid4())}
            reply = client.post(path, json=body, headers=headers)
            if reply.is_error:  # the problem+json says which field, when setup rots
                raise RuntimeError(f"POST {path}: {reply.status_code} {reply.text}")
            return dict(reply.json())

        bank = post(
            "/v1/members",
            operator_key,
            {
                "name": "基准测试银行",
                "institution_type": "BANK",
                "home_city": HEFEI,
                "uscc": make_uscc(f"91{HEFEI}MA0000001"[:17]),
            },
        )
        enterprise = post(
            "/v1/enterprises",
            operator_key,
            {
                "name": "基准测试企业",
                "uscc": make_uscc(f"91{HEFEI}MA0000002"[:17]),
                "city": HEFEI,
                "industry": "ARTIFICIAL_INTELLIGENCE",
                "size_class": "SMALL",
            },
        )
        key = post(
            "/v1/credentials",
            operator_key,
            {
                "principal_type": "bank",
                "principal_id": bank["member_id"],
                # The highest rate a key may carry: far above what two cores serve.
                "scopes": [f"rate_per_s={MAX_RATE_PER_S:g}"],
            },
        )
        # The credit service learns of the enterprise from Kafka: wait until it can lend.
        for _ in range(100):
            headers = {"X-API-Key": str(key["api_key"]), "Idempotency-Key": str(uuid.uuid4())}
            body = {**LINE, "enterprise_id": enterprise["enterprise_id"]}
            if client.post("/v1/credit-lines", json=body, headers=headers).status_code == 201:
                break
            time.sleep(0.2)
    return str(bank["member_id"]), str(key["api_key"]), str(enterprise["enterprise_id"])


async def run(
    gateway: str,
    credit_target: str,
    operator_key: str,
    ops: int,
    conc: int,
    rounds_n: int,
    warm_up_ops: int,
    split: CpuSplit,
) -> None:
    bank_id, bank_key, enterprise_id = await asyncio.to_thread(_setup, gateway, operator_key)
    body = json.dumps({**LINE, "enterprise_id": enterprise_id}).encode()
    url = httpx.URL(gateway)
    connections = [RawHttp(url.host, url.port or 80) for _ in range(conc)]
    free: asyncio.Queue[RawHttp] = asyncio.Queue()
    for connection in connections:
        free.put_nowait(connection)

    async def via_gateway(i: int) -> object:
        headers = {"x-api-key": bank_key, "idempotency-key": f"bench-{uuid.uuid4()}"}
        connection = await free.get()
        try:
            status, reply = await connection.post("/v1/credit-lines", body, headers)
        finally:
            free.put_nowait(connection)
        assert status == 201, reply
        return reply

    metadata = ((CALLER_TYPE_KEY, "bank"), (CALLER_ID_KEY, bank_id))
    async with grpc.aio.insecure_channel(credit_target) as channel:
        stub = credit_pb2_grpc.CreditServiceStub(channel)

        async def direct(i: int) -> object:
            request = credit_pb2.RegisterCreditLineRequest(
                request_id=f"bench-{uuid.uuid4()}", enterprise_id=enterprise_id, **LINE
            )
            return await stub.RegisterCreditLine(request, metadata=metadata, timeout=30)

        paths = {
            "gateway": ("gateway POST /v1/credit-lines", via_gateway),
            "direct": ("direct gRPC RegisterCreditLine", direct),
        }
        # A fresh platform's JVM is still JIT-compiling for its first minute or so,
        # which taxed whichever path ran first: warm both up properly.
        for path, (_name, op) in paths.items():
            await measure(f"warm-up {path}", op, warm_up_ops, conc)
        rounds: dict[str, list[Figures]] = {"gateway": [], "direct": []}
        for round_no in range(rounds_n):
            # Alternate which path goes first, so slow drift in the machine's load
            # does not always land on the same path.
            order = list(paths.items())[:: 1 if round_no % 2 == 0 else -1]
            for path, (name, op) in order:
                rounds[path].append(await split.around(measure(name, op, ops, conc)))
    for connection in connections:
        await connection.close()
    _report(rounds, ops, conc)
    cpu_ratio = split.ratio(paths["gateway"][0], paths["direct"][0])
    print(f"CPU per op, direct / gateway: {cpu_ratio:.2f}")


def _report(rounds: dict[str, list[Figures]], ops: int, conc: int) -> None:
    gateway, direct = median_round(rounds["gateway"]), median_round(rounds["direct"])
    print(f"\n{len(rounds['gateway'])} rounds of {ops} ops per path, concurrency {conc}")
    for name, figures in rounds.items():
        print(f"  {name} rounds: " + ", ".join(f"{f.ops_per_s:.0f}" for f in figures) + " ops/s")
    print(gateway.line())
    print(direct.line())
    ratio = gateway.ops_per_s / direct.ops_per_s
    print(f"throughput ratio gateway/direct: {ratio:.2f} (target >= 0.5)")


def _cpu_split(stack: Stack, platform: Platform) -> CpuSplit:
    pids = {"bench": os.getpid()}
    for name, service in platform.services.items():
        if service.process is not None and service.process.poll() is None:
            pids[name] = service.process.pid
    assert stack.pg.pid is not None and stack.kafka.pid is not None
    return CpuSplit({**pids, POSTGRES: stack.pg.pid, "kafka": stack.kafka.pid})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ops", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warm-up-ops", type=int, default=WARM_UP_OPS)
    parser.add_argument(
        "--with-aggregator",
        action="store_true",
        help="keep the aggregator running (by default it is stopped once the platform is up)",
    )
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="g60-bench-gw-"))
    base.chmod(0o755)
    stack = start_stack(base_dir=base)
    platform = None
    try:
        platform = start_platform(stack.pg_dsn, stack.kafka_bootstrap, base / "logs")
        if not args.with_aggregator:
            # Downstream of both paths, and on two cores it cannot keep up with the
            # direct path's rate: its backlog from one round ran in the next and was
            # charged to whichever path came next (see docs/benchmarks.md).
            platform.services["aggregator"].stop()
        asyncio.run(
            run(
                platform.gateway_url,
                platform.credit_target,
                issue_operator_key(platform),
                args.ops,
                args.concurrency,
                args.rounds,
                args.warm_up_ops,
                _cpu_split(stack, platform),
            )
        )
    finally:
        if platform is not None:
            platform.stop()
        stack.stop()


if __name__ == "__main__":
    main()
