"""Throughput and latency figures shared by the benchmarks in this folder."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

# One operation; the argument is the worker's slot (0 .. concurrency-1), so a benchmark
# can give each worker its own row and measure transactions rather than lock queueing.
Op = Callable[[int], Awaitable[object]]


@dataclass(frozen=True)
class Figures:
    name: str
    ops: int
    seconds: float
    latencies_s: list[float]

    @property
    def ops_per_s(self) -> float:
        return self.ops / self.seconds

    def p(self, percent: int) -> float:
        """The given latency percentile in milliseconds."""
        return statistics.quantiles(self.latencies_s, n=100)[percent - 1] * 1000

    def line(self) -> str:
        return (
            f"{self.name:<32} {self.ops_per_s:8.0f} ops/s   p50 {self.p(50):6.2f} ms"
            f"   p99 {self.p(99):6.2f} ms"
        )


async def measure(name: str, op: Op, ops: int, concurrency: int) -> Figures:
    """Run `ops` operations from `concurrency` workers; time each one."""
    latencies: list[float] = []
    counter = iter(range(ops))

    async def worker(slot: int) -> None:
        for _ in counter:
            started = time.perf_counter()
            await op(slot)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker(s) for s in range(concurrency)))
    return Figures(name, ops, time.perf_counter() - started, latencies)


def pooled_rate(rounds: Iterable[Figures]) -> float:
    """Every round's operations over every round's time: steadier than one round."""
    all_rounds = list(rounds)
    return sum(f.ops for f in all_rounds) / sum(f.seconds for f in all_rounds)


def median_round(rounds: Iterable[Figures]) -> Figures:
    """The median round by throughput, with every round's latencies pooled."""
    ordered = sorted(rounds, key=lambda f: f.ops_per_s)
    middle = ordered[len(ordered) // 2]
    pooled = [x for f in ordered for x in f.latencies_s]
    return Figures(middle.name, middle.ops, middle.seconds, pooled)
