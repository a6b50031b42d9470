"""Per-process CPU accounting for benchmarks: which process spent the CPU of a round.

On two shared cores a throughput ratio is mostly a ratio of CPU per operation, so the
benchmarks print, next to each round, the CPU-milliseconds per operation spent by each
process group (the benchmark client itself, each service, PostgreSQL's backends, the
Kafka JVM). Read from /proc/<pid>/stat (utime + stime, children included for
PostgreSQL, whose backends are children of the postmaster).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def _cpu_ticks(pid: int) -> int:
    """utime + stime of one process; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)


def _children(pid: int) -> list[int]:
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        found = []
        for task in tasks:
            found += [int(c) for c in (task / "children").read_text().split()]
        return found
    except (FileNotFoundError, ProcessLookupError):
        return []


@dataclass
class CpuMeter:
    """Named groups of pids; `with_children` groups also count their live children
    (PostgreSQL backends). Children that exit during a round are not counted."""

    groups: dict[str, tuple[int, bool]]

    def sample(self) -> dict[str, int]:
        ticks = {}
        for name, (pid, with_children) in self.groups.items():
            pids = [pid, *_children(pid)] if with_children else [pid]
            ticks[name] = sum(_cpu_ticks(p) for p in pids)
        return ticks

    @staticmethod
    def per_op_ms(before: dict[str, int], after: dict[str, int], ops: int) -> dict[str, float]:
        return {
            name: (after[name] - before[name]) * 1000 / CLOCK_TICKS_PER_S / ops for name in after
        }


def describe(per_op_ms: dict[str, float]) -> str:
    parts = [f"{name} {ms:.2f}" for name, ms in per_op_ms.items()]
    return "CPU ms/op: " + ", ".join(parts) + f" = {sum(per_op_ms.values()):.2f}"
