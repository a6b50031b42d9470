"""Rebuild by a real worker: a fresh Faust app id (new tables, changelogs, served
stream and totals topic) reads the credit topic from the start."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer
from g60common.config import KafkaSettings
from g60common.kafka import TOPIC_CREDIT_EVENTS, consumer_settings

from g60_aggregator.adapters.kafka_metadata import topic_partitions

PROCESSED = (
    "g60_aggregator_events_applied_total",
    "g60_aggregator_duplicates_skipped_total",
    "g60_aggregator_events_ignored_total",
)
POLL_S = 0.5
READY_TIMEOUT_S = 120.0


async def count_records(kafka: KafkaSettings) -> int:
    """Committed records in the credit topic right now (transaction markers excluded)."""
    tps = await topic_partitions(kafka, TOPIC_CREDIT_EVENTS)
    consumer = AIOKafkaConsumer(**consumer_settings(kafka, group_id=None))
    await consumer.start()
    records = 0
    try:
        consumer.assign(tps)
        await consumer.seek_to_beginning()
        ends = await consumer.end_offsets(tps)
        while [tp for tp in tps if await consumer.position(tp) < ends[tp]]:
            batches = await consumer.getmany(timeout_ms=500, max_records=10_000)
            records += sum(1 for tp, batch in batches.items() for r in batch if r.offset < ends[tp])
    finally:
        await consumer.stop()
    return records


@dataclass
class ReplayWorker:
    app_id: str
    web_port: int
    data_dir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def totals_topic(self) -> str:
        return f"{self.app_id}-totals"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def start(self, env: dict[str, str]) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        worker_env = {
            **env,
            "G60_AGGREGATOR_APP_ID": self.app_id,
            "G60_AGGREGATOR_TOTALS_TOPIC": self.totals_topic,
            "G60_AGGREGATOR_WEB_PORT": str(self.web_port),
            "G60_AGGREGATOR_DATA_DIR": str(self.data_dir),
        }
        log = (self.data_dir / "worker.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "g60_aggregator"], env=worker_env, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()

    def processed(self) -> int | None:
        try:
            text = httpx.get(f"{self.url}/metrics", timeout=5).text
        except httpx.HTTPError:
            return None
        lines = (ln for ln in text.splitlines() if ln.startswith(PROCESSED))
        return int(sum(float(ln.split()[-1]) for ln in lines))

    def wait_processed(self, target: int, progress: Callable[[int], object]) -> None:
        seen, started = 0, time.monotonic()
        while seen < target:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"replay worker exited; see {self.data_dir}/worker.log")
            count = self.processed()
            if count is None and time.monotonic() - started > READY_TIMEOUT_S:
                raise RuntimeError(f"replay worker not up; see {self.data_dir}/worker.log")
            if count is not None and count > seen:
                progress(count - seen)
                seen = count
            time.sleep(POLL_S)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
