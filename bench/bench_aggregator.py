"""Aggregator benchmark.

    .venv/bin/python bench/bench_aggregator.py [--events 200000] [--probes 200]

1. Freshness under steady load: the real platform (credit, outbox relay, aggregator,
   gateway); a background task amends credit limits at a steady rate while a probe
   registers credit lines one at a time and polls GET /v1/totals (gateway) until the
   new line is counted. Commit in PostgreSQL (the RPC has returned) -> visible: p50/p99.
2. Throughput: >= 200,000 synthetic credit events pre-filled into the credit topic, read
   by, in turn:
   - the baseline, a plain aiokafka consume-and-sum loop (decode, sum the amounts);
   - the Faust ceiling: an empty agent on a fresh Faust app with the aggregator's own
     settings, per event (`stream.events()`, as the aggregator reads): what Faust's
     per-message machinery alone allows;
   - two fresh aggregator workers sharing the partitions, then one (new app ids,
     empty tables).
   Ratios: aggregator/baseline, aggregator/ceiling, ceiling/baseline.
3. Peak RSS of the single worker (VmHWM), sampled as it goes and again after the whole
   topic is redelivered as duplicates: state grows with the tables, not with events.

Starts its own stack (PostgreSQL + Kafka) unless G60_PG_DSN and G60_KAFKA_BOOTSTRAP are set.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import faust
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from g60_aggregator.adapters.decoding import to_fact
from g60_aggregator.adapters.kafka_metadata import topic_partitions
from g60_aggregator.config import AggregatorSettings
from g60_aggregator.entrypoints.app import raw_topic, unwired_app
from g60_aggregator.synthetic import SyntheticHistory
from g60common.config import KafkaSettings, process_env
from g60common.events import decode_envelope
from g60common.kafka import (
    EVENT_TOPICS,
    TOPIC_CREDIT_EVENTS,
    consumer_settings,
    ensure_topics,
    producer_settings,
)
from g60common.launcher import ServiceProcess, start_platform
from g60common.stack import StackEndpoints, endpoints_from_env, start_stack
from g60common.stack.ports import find_free_ports

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.integration.aggregator.credit_workload import CreditWorkload

CHUNK_EVENTS = 20_000
STALL_S = 120.0


# ---------------------------------------------------------------- pre-fill and baseline
async def prefill(kafka: KafkaSettings, events: int) -> int:
    await ensure_topics(kafka, EVENT_TOPICS)
    producer = AIOKafkaProducer(**producer_settings(kafka))
    await producer.start()
    sent = 0
    try:
        seed = 0
        while sent < events:
            chunk = SyntheticHistory(seed, banks=30, enterprises=3_000).events(CHUNK_EVENTS)
            seed += 1
            futures = [
                await producer.send(TOPIC_CREDIT_EVENTS, e.SerializeToString(),
                                    key=e.aggregate_id.encode())
                for e in chunk
            ]  # fmt: skip
            for f in futures:
                await f
            sent += len(chunk)
    finally:
        await producer.stop()
    return sent


async def baseline(kafka: KafkaSettings) -> tuple[int, float]:
    """Plain aiokafka: read the topic to its end, decode each event, sum the amounts."""
    tps = await topic_partitions(kafka, TOPIC_CREDIT_EVENTS)
    consumer = AIOKafkaConsumer(**{**consumer_settings(kafka, group_id=None),
                                   "max_partition_fetch_bytes": 4 * 1024 * 1024})  # fmt: skip
    await consumer.start()
    try:
        consumer.assign(tps)
        await consumer.seek_to_beginning()
        ends = await consumer.end_offsets(tps)
        total_fen, records = 0, 0
        started = time.perf_counter()
        while [tp for tp in tps if await consumer.position(tp) < ends[tp]]:
            batches = await consumer.getmany(timeout_ms=500, max_records=5_000)
            for batch in batches.values():
                for record in batch:
                    fact = to_fact(decode_envelope(record.value))
                    if fact is not None:
                        total_fen += fact.amount_fen + fact.limit_fen
                    records += 1
        elapsed = time.perf_counter() - started
    finally:
        await consumer.stop()
    return records, records / elapsed


# ---------------------------------------------------------------- the Faust ceiling
CEILING_TIMEOUT_S = 600


def run_ceiling_agent(target: int, result_file: str) -> None:
    """In a subprocess: an empty agent over the credit topic on a fresh app with the
    aggregator's settings. Prints events/s from its first event to `target`."""
    settings = AggregatorSettings.from_env(process_env())
    app = unwired_app(settings)
    topic = raw_topic(app, TOPIC_CREDIT_EVENTS)
    seen: dict[str, Any] = {"count": 0, "first_at": None, "first_count": 0}

    def count(n: int) -> None:
        seen["count"] += n
        now = time.perf_counter()
        if seen["first_at"] is None:
            seen["first_at"], seen["first_count"] = now, seen["count"]
        if seen["count"] >= target:
            rate = (seen["count"] - seen["first_count"]) / max(now - seen["first_at"], 1e-9)
            # Not print: the Faust worker sends stdout to its log.
            Path(result_file).write_text(f"{rate:.0f}")
            os._exit(0)

    @app.agent(topic)
    async def empty(stream: Any) -> None:
        async for _ in stream.events():
            count(1)

    faust.Worker(app, loglevel="WARNING").execute_from_commandline()


def faust_ceiling(stack: StackEndpoints, logs: Path, target: int) -> float:
    app_id = f"bench-ceiling-{uuid.uuid4().hex[:8]}"
    (port,) = find_free_ports(1)
    env = {**os.environ, **_worker_env(stack, logs, app_id, port)}
    result = logs / f"{app_id}.rate"
    argv = [sys.executable, __file__, "--ceiling-agent", "--target", str(target),
            "--result-file", str(result)]  # fmt: skip
    with (logs / f"{app_id}.log").open("wb") as log:
        subprocess.run(argv, env=env, stdout=log, stderr=subprocess.STDOUT,
                       timeout=CEILING_TIMEOUT_S, check=True)  # fmt: skip
    return float(result.read_text())


# ---------------------------------------------------------------- the aggregator worker
def _processed(url: str) -> int:
    text = httpx.get(f"{url}/metrics", timeout=10).text
    names = ("g60_aggregator_events_applied_total", "g60_aggregator_duplicates_skipped_total",
             "g60_aggregator_events_ignored_total")  # fmt: skip
    return int(sum(float(ln.split()[-1]) for ln in text.splitlines() if ln.startswith(names)))


def _rss_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _worker_env(stack: StackEndpoints, logs: Path, app_id: str, port: int) -> dict[str, str]:
    return {
        "G60_KAFKA_BOOTSTRAP": stack.kafka_bootstrap, "G60_AGGREGATOR_APP_ID": app_id,
        "G60_AGGREGATOR_WEB_PORT": str(port), "G60_AGGREGATOR_TOTALS_TOPIC": f"{app_id}-totals",
        "G60_AGGREGATOR_DATA_DIR": str(logs / f"{app_id}-{port}"),
    }  # fmt: skip


def start_workers(stack: StackEndpoints, logs: Path, n: int) -> list[tuple[ServiceProcess, str]]:
    """`n` workers of one fresh app id, started together so they share the partitions
    from the start."""
    app_id = f"bench-{uuid.uuid4().hex[:8]}"
    workers = []
    for i, port in enumerate(find_free_ports(n)):
        env = {**os.environ, **_worker_env(stack, logs, app_id, port)}
        url = f"http://127.0.0.1:{port}"
        worker = ServiceProcess(f"bench-agg-{i}", "g60_aggregator", env,
                                logs / f"{app_id}-{i}.log", f"http:{url}/healthz")  # fmt: skip
        worker.start()
        workers.append((worker, url))
    for worker, _ in workers:
        worker.wait_ready()
    return workers


def wait_processed(
    workers: Sequence[tuple[ServiceProcess, str]], target: int
) -> tuple[float, list[str]]:
    """Events/s from the first processed event to `target` (summed over the workers),
    and RSS samples of the first worker on the way."""
    pids = []
    for worker, _ in workers:
        assert worker.process is not None
        pids.append(worker.process.pid)
    first_at, first_count, samples, next_quarter = None, 0, [], 1
    last_count, moved_at = -1, time.perf_counter()
    while True:
        count = sum(_processed(url) for _, url in workers)
        now = time.perf_counter()
        if count != last_count:
            last_count, moved_at = count, now
        elif now - moved_at > STALL_S:
            # An event never counted (lost, not even as a duplicate) would hang the run.
            raise RuntimeError(f"workers stalled at {count} of {target} events")
        if first_at is None and count > 0:
            first_at, first_count = now, count
        while next_quarter <= 4 and count >= target * next_quarter // 4:
            rss_mib = _rss_kib(pids[0], "VmRSS") / 1024
            samples.append(f"{count:>8} events: RSS {rss_mib:7.1f} MiB")
            next_quarter += 1
        if count >= target:
            assert first_at is not None
            return (count - first_count) / max(now - first_at, 1e-9), samples
        time.sleep(0.25)


def stop_workers(workers: Sequence[tuple[ServiceProcess, str]]) -> None:
    for worker, _ in workers:
        worker.stop()


async def redeliver_all(kafka: KafkaSettings) -> int:
    """Every record again, as a crashed relay would: all duplicates for the worker."""
    tps = await topic_partitions(kafka, TOPIC_CREDIT_EVENTS)
    consumer = AIOKafkaConsumer(**consumer_settings(kafka, group_id=None))
    producer = AIOKafkaProducer(**producer_settings(kafka))
    await consumer.start()
    await producer.start()
    copied = 0
    try:
        consumer.assign(tps)
        await consumer.seek_to_beginning()
        ends = await consumer.end_offsets(tps)
        while [tp for tp in tps if await consumer.position(tp) < ends[tp]]:
            batches = await consumer.getmany(timeout_ms=500, max_records=5_000)
            # Only what was there at the start: never copies of copies.
            originals = [r for tp, batch in batches.items() for r in batch if r.offset < ends[tp]]
            futures = [await producer.send(TOPIC_CREDIT_EVENTS, r.value, key=r.key)
                       for r in originals]  # fmt: skip
            for f in futures:
                await f
            copied += len(futures)
    finally:
        await producer.stop()
        await consumer.stop()
    return copied


# ---------------------------------------------------------------- freshness
async def freshness(platform_env: dict[str, str], gateway: str, probes: int) -> list[float]:
    import random

    import grpc
    from g60.credit.v1 import credit_pb2_grpc
    from g60.members.v1 import members_pb2_grpc

    credit = grpc.aio.insecure_channel(platform_env["G60_CREDIT_GRPC_TARGET"])
    members = grpc.aio.insecure_channel(platform_env["G60_MEMBERS_GRPC_TARGET"])
    load = CreditWorkload(
        credit_pb2_grpc.CreditServiceStub(credit),
        members_pb2_grpc.MembersServiceStub(members),
        random.Random(1),
    )
    await load.setup(banks_per_city=1, enterprises_per_city=2)
    await load.first_lines()
    stop = asyncio.Event()

    async def steady_amendments(rate_per_s: float = 40.0) -> None:
        while not stop.is_set():
            await load._amend(load.rng.choice(load.lines))
            await asyncio.sleep(1 / rate_per_s)

    background = asyncio.create_task(steady_amendments())
    lags_s: list[float] = []
    async with httpx.AsyncClient(base_url=gateway, timeout=10) as http:

        async def lines_now() -> int:
            return int((await http.get("/v1/totals")).json()["alliance"]["credit_lines"])

        while await lines_now() < len(load.lines):  # noqa: ASYNC110 (polling HTTP)
            await asyncio.sleep(0.05)
        for _ in range(probes):
            expected = await lines_now() + 1
            before = len(load.lines)
            await load._register(load.rng.choice(load.banks), load.rng.choice(load.enterprises))
            committed_at = time.perf_counter()  # the RPC returned: PostgreSQL has committed
            if len(load.lines) == before:
                continue  # refused: nothing to see
            while await lines_now() < expected:  # noqa: ASYNC110 (polling HTTP)
                await asyncio.sleep(0.005)
            lags_s.append(time.perf_counter() - committed_at)
            await asyncio.sleep(0.05)
    stop.set()
    await background
    await credit.close()
    await members.close()
    return lags_s


# ---------------------------------------------------------------- main
def throughput(kafka: KafkaSettings, endpoints: StackEndpoints, logs: Path, produced: int) -> None:
    records, base_rate = asyncio.run(baseline(kafka))
    print(f"pre-filled {produced} events; topic holds {records} records")
    print(f"baseline aiokafka consume-and-sum:        {base_rate:9.0f} events/s")
    ceiling = faust_ceiling(endpoints, logs, records)
    print(f"Faust ceiling, empty agent:               {ceiling:9.0f} events/s")
    pair = start_workers(endpoints, logs, 2)
    try:
        pair_rate, _ = wait_processed(pair, records)
    finally:
        stop_workers(pair)
    print(f"aggregator, 2 workers (6 partitions):     {pair_rate:9.0f} events/s")
    workers = start_workers(endpoints, logs, 1)
    try:
        rate, samples = wait_processed(workers, records)
        print(f"aggregator, 1 worker:                     {rate:9.0f} events/s")
        print(f"ratio aggregator/baseline:      {rate / base_rate:.2f}")
        print(f"ratio aggregator/Faust ceiling: {rate / ceiling:.2f}")
        print(f"ratio Faust ceiling/baseline:   {ceiling / base_rate:.2f}")
        print(f"ratio 2 workers/baseline:       {pair_rate / base_rate:.2f}")
        for s in samples:
            print("  " + s)
        memory_after_duplicates(kafka, workers, records)
    finally:
        stop_workers(workers)


def memory_after_duplicates(
    kafka: KafkaSettings, workers: Sequence[tuple[ServiceProcess, str]], records: int
) -> None:
    copied = asyncio.run(redeliver_all(kafka))
    wait_processed(workers, records + copied)
    process = workers[0][0].process
    assert process is not None
    rss_mib = _rss_kib(process.pid, "VmRSS") / 1024
    print(f"  after {copied} duplicates redelivered: RSS {rss_mib:7.1f} MiB")
    print(f"peak RSS (VmHWM): {_rss_kib(process.pid, 'VmHWM') / 1024:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--ceiling-agent", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--target", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ceiling_agent:
        run_ceiling_agent(args.target, args.result_file)
        return
    base = Path(tempfile.mkdtemp(prefix="g60-bench-agg-"))
    base.chmod(0o755)
    external = endpoints_from_env()
    stack = None if external else start_stack(base_dir=base)
    endpoints = external or StackEndpoints(stack.pg_dsn, stack.kafka_bootstrap)  # type: ignore[union-attr]
    kafka = KafkaSettings(bootstrap=endpoints.kafka_bootstrap, request_timeout_ms=30_000)
    try:
        platform = start_platform(endpoints.pg_dsn, endpoints.kafka_bootstrap, base / "logs")
        try:
            lags = asyncio.run(freshness(platform.env, platform.gateway_url, args.probes))
        finally:
            platform.stop()
        q = statistics.quantiles(lags, n=100)
        print(
            f"freshness commit->visible over {len(lags)} probes: p50 {q[49] * 1000:.0f} ms"
            f"  p99 {q[98] * 1000:.0f} ms  max {max(lags) * 1000:.0f} ms"
        )

        produced = asyncio.run(prefill(kafka, args.events))
        throughput(kafka, endpoints, base / "logs", produced)
    finally:
        if stack is not None:
            stack.stop()


if __name__ == "__main__":
    main()
