"""`python -m g60_aggregator.replay`: rebuild all totals from the start of the credit
topic into fresh tables and check them against the live totals.

Default: the events are applied in this process, by the workers' own appliers, into
fresh in-memory tables. With --worker: a real aggregator worker under a new app id
(new tables, changelogs, served stream and totals topic) rebuilds from the start, and
its published totals are compared; --keep leaves it running to take over.

Exit status 0 when the rebuilt totals equal the live ones for every dimension and
month, 1 otherwise. While events keep arriving, the replay catches up and compares
again, up to --rounds times."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from g60common.config import process_env
from g60common.stack.ports import find_free_ports
from tqdm import tqdm

from g60_aggregator.adapters.topic_replay import TopicReplay
from g60_aggregator.adapters.totals_view import read_totals_once
from g60_aggregator.adapters.worker_replay import ReplayWorker, count_records
from g60_aggregator.config import AggregatorSettings
from g60_aggregator.domain.drift import Drift, find_drift


def _print(drifts: list[Drift]) -> None:
    for d in drifts[:50]:
        month = d.month or "all"
        print(f"{d.dimension}:{d.value} {d.measure} [{month}] live={d.stream} rebuilt={d.source}")


async def replay(settings: AggregatorSettings, rounds: int) -> list[Drift]:
    rebuilt = TopicReplay(settings.kafka)
    await rebuilt.start()
    try:
        drifts: list[Drift] = []
        with tqdm(total=await rebuilt.remaining(), unit="offset", desc="replay") as bar:
            for _ in range(rounds):
                bar.total = bar.n + await rebuilt.remaining()
                await rebuilt.read_to_end(bar.update)
                live = await read_totals_once(settings.kafka, settings.totals_topic)
                drifts = find_drift(live, rebuilt.sums())
                if not drifts:
                    break
                await asyncio.sleep(1.0)  # live workers may still be catching up
        return drifts
    finally:
        await rebuilt.stop()


def replay_by_worker(
    settings: AggregatorSettings, env: dict[str, str], rounds: int, keep: bool
) -> list[Drift]:
    """`env` is passed to the new worker (broker, DSNs); its app id and topics are new."""
    (port,) = find_free_ports(1)
    app_id = f"{settings.app_id}-replay-{int(time.time())}"
    worker = ReplayWorker(app_id, port, Path(settings.data_dir) / app_id)
    worker.start(env)
    drifts: list[Drift] = []
    try:
        with tqdm(total=0, unit="event", desc=f"replay {app_id}") as bar:
            for _ in range(rounds):
                bar.total = asyncio.run(count_records(settings.kafka))
                worker.wait_processed(bar.total, bar.update)
                time.sleep(2 * settings.publish_interval_s)  # the last snapshots
                rebuilt = asyncio.run(read_totals_once(settings.kafka, worker.totals_topic))
                live = asyncio.run(read_totals_once(settings.kafka, settings.totals_topic))
                drifts = find_drift(live, rebuilt)
                if not drifts:
                    break
                time.sleep(1.0)
    finally:
        if not keep:
            worker.stop()
    print(f"rebuilt by app id {app_id}, totals topic {worker.totals_topic}")
    return drifts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="catch-up attempts (default 10)")
    parser.add_argument("--worker", action="store_true", help="rebuild with a new worker")
    parser.add_argument("--keep", action="store_true", help="leave the --worker running")
    args = parser.parse_args()
    env = dict(process_env())
    settings = AggregatorSettings.from_env(env)
    if args.worker:
        drifts = replay_by_worker(settings, env, args.rounds, args.keep)
    else:
        drifts = asyncio.run(replay(settings, args.rounds))
    _print(drifts)
    print("rebuilt totals equal the live totals" if not drifts else f"{len(drifts)} drifts")
    sys.exit(1 if drifts else 0)


if __name__ == "__main__":
    main()
