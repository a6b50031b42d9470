"""Per-process CPU accounting for the benchmarks: which process spent the CPU of a round.

On two shared cores a throughput ratio is mostly a ratio of CPU per operation, so the
benchmarks can print, next to each round, the CPU time per operation of each process
(the benchmark client itself, each service, PostgreSQL's postmaster and backends, the
Kafka JVM), read from /proc/<pid>/stat (utime + stime).
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Awaitable
from pathlib import Path

from figures import Figures

POSTGRES = "postgres"  # the postmaster: its live backends and reaped children count too
_TICK_S = 1 / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int, thread: int | None = None) -> float:
    """utime + stime of a process, or of one of its threads."""
    path = f"/proc/{pid}/task/{thread}/stat" if thread else f"/proc/{pid}/stat"
    return CpuSplit._ticks(path) * _TICK_S


class CpuSplit:
    """On a saturated machine throughput follows CPU per operation: the ratio of the two
    paths' totals predicts the throughput ratio without the other tenants' noise."""

    def __init__(self, pids: dict[str, int], *, main_thread_of: str | None = None) -> None:
        self.pids = pids
        self.main_thread_of = main_thread_of  # also report that process's event loop
        self.totals_us: dict[str, list[float]] = {}

    @staticmethod
    def _ticks(path: str, children: bool = False) -> int:
        try:
            fields = Path(path).read_text().rpartition(")")[2].split()
        except OSError:
            return 0
        # After the command name: utime, stime, cutime, cstime are fields 12..15.
        return sum(int(f) for f in fields[11 : 15 if children else 13])

    def sample(self) -> dict[str, float]:
        ticks = {
            name: self._ticks(f"/proc/{pid}/stat", children=name == POSTGRES)
            for name, pid in self.pids.items()
        }
        if POSTGRES in self.pids:
            pg = self.pids[POSTGRES]
            ticks[POSTGRES] += sum(
                self._ticks(f"/proc/{child}/stat")
                for child in Path(f"/proc/{pg}/task/{pg}/children").read_text().split()
            )
        if self.main_thread_of is not None:
            pid = self.pids[self.main_thread_of]
            ticks["event loop"] = self._ticks(f"/proc/{pid}/task/{pid}/stat")
        cpu = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        ticks["machine"] = sum(int(x) for x in cpu) - int(cpu[3]) - int(cpu[4])
        return {name: t * _TICK_S for name, t in ticks.items()}

    async def around(self, round_: Awaitable[Figures]) -> Figures:
        before = self.sample()
        figures = await round_
        after = self.sample()
        used = {name: after[name] - before[name] for name in after}
        per_op = {name: used[name] / figures.ops * 1e6 for name in self.pids}
        total = sum(per_op.values())
        self.totals_us.setdefault(figures.name, []).append(total)
        loop = (
            ""
            if self.main_thread_of is None
            else f"{self.main_thread_of} event loop thread "
            f"{used['event loop'] / figures.seconds:.0%} of a core, "
        )
        print(
            f"  {figures.name:<30} {figures.ops_per_s:6.0f} ops/s  CPU µs/op: "
            + ", ".join(f"{name} {us:.0f}" for name, us in per_op.items())
            + f"; total {total:.0f}. {loop}machine "
            f"{used['machine'] / figures.seconds:.0%} of one core, "
            f"load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        return figures

    def ratio(self, slower: str, baseline: str) -> float:
        """The baseline's CPU per op over the other path's (medians of the rounds)."""
        return statistics.median(self.totals_us[baseline]) / statistics.median(
            self.totals_us[slower]
        )


def parent_pid(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])


def listening_pid(port: int) -> int | None:
    """The process listening on a local TCP port (to find the Kafka broker's JVM)."""
    inodes = {
        line.split()[9]
        for name in ("/proc/net/tcp", "/proc/net/tcp6")
        for line in Path(name).read_text().splitlines()[1:]
        if line.split()[3] == "0A" and int(line.split()[1].rsplit(":", 1)[1], 16) == port
    }
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd).removeprefix("socket:[").rstrip("]") in inodes:
                    return int(proc.name)
        except OSError:
            continue
    return None
