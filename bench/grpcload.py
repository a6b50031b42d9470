"""The Go gRPC load generator (bench/grpcload), driven from a benchmark's event loop.

On two shared cores the Python grpc.aio client spends a few hundred µs of CPU per call,
on the same cores as the service: a load-generator cost the benchmark would charge to
the service. The Go process is a lean client, like h2load or wrk, and shows up in the
CPU split as its own process. Its default engine ("h2", rawh2.go) speaks HTTP/2 from one
thread; "grpc-go" uses grpc-go's client, which costs 3-4 times as much CPU per call.
Requests are serialized here with the generated protobuf classes and written out before
a round; the Go side sends the bytes as they are.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import struct
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from figures import Figures

SOURCE_DIR = Path(__file__).resolve().parent / "grpcload"
TIMEOUT_S = 30.0  # per call, as the Python client's timeout=30
# A result line carries every latency: far past asyncio's default 64 KiB line limit.
RESULT_LINE_LIMIT_BYTES = 256 * 2**20
CLOSE_TIMEOUT_S = 10.0
GO_INSTALLED = Path("/usr/local/go/bin/go")  # where Go's own installer puts it, often off PATH


def build(out_dir: Path) -> Path:
    """Compile the load generator into out_dir (once per benchmark run)."""
    go = shutil.which("go") or (str(GO_INSTALLED) if GO_INSTALLED.is_file() else None)
    if go is None:
        raise SystemExit(
            "bench: --client go needs the Go toolchain (`go` on PATH) to build "
            f"{SOURCE_DIR}; install Go or run with --client python"
        )
    binary = out_dir / "grpcload"
    subprocess.run([go, "build", "-o", str(binary), "."], cwd=SOURCE_DIR, check=True)
    return binary


@dataclass(frozen=True)
class Round:
    """One round with its requests already on disk, so writing them costs the round nothing."""

    name: str
    ops: int
    requests: Path
    command: dict[str, object]


def _write_requests(path: Path, per_slot: Sequence[Sequence[bytes]]) -> None:
    """Little-endian uint32s: slot count; per slot, request count; per request, length."""
    parts = [struct.pack("<I", len(per_slot))]
    for requests in per_slot:
        parts.append(struct.pack("<I", len(requests)))
        for request in requests:
            parts += (struct.pack("<I", len(request)), request)
    path.write_bytes(b"".join(parts))


class GrpcLoad:
    """The running load generator: one process and one connection per target for the
    whole benchmark, one round at a time."""

    def __init__(self, process: asyncio.subprocess.Process, work_dir: Path, engine: str) -> None:
        self.process = process
        self.work_dir = work_dir
        self.engine = engine
        self.rounds = 0

    @classmethod
    async def start(cls, binary: Path, engine: str = "h2") -> GrpcLoad:
        """engine: "h2" (one thread, raw HTTP/2: rawh2.go) or "grpc-go"."""
        process = await asyncio.create_subprocess_exec(
            binary,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=RESULT_LINE_LIMIT_BYTES,
        )
        return cls(process, binary.parent, engine)

    @property
    def pid(self) -> int:
        return self.process.pid

    def prepare(
        self,
        name: str,
        target: str,
        method: str,
        metadata: Mapping[str, str],
        per_slot: Sequence[Sequence[bytes]],
        ops: int,
    ) -> Round:
        """`ops` calls of `method` (full path, "/pkg.Service/Method") from one worker per
        slot. Worker i sends slot i's requests in order; each slot needs `ops` of them,
        since the workers share the operations unevenly."""
        assert per_slot and all(len(requests) >= ops for requests in per_slot)
        self.rounds += 1
        # Named by pid too: one generator per credit replica shares the work folder.
        requests = self.work_dir / f"requests-{self.pid}-{self.rounds}.bin"
        _write_requests(requests, per_slot)
        command: dict[str, object] = {
            "target": target,
            "method": method,
            "metadata": dict(metadata),
            "requests": str(requests),
            "ops": ops,
            "concurrency": len(per_slot),
            "timeout_s": TIMEOUT_S,
            "engine": self.engine,
        }
        return Round(name, ops, requests, command)

    async def run(self, round_: Round) -> Figures:
        """Run a prepared round; raises if the round or any call in it failed."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(round_.command).encode() + b"\n")
        await self.process.stdin.drain()
        line = await self.process.stdout.readline()
        round_.requests.unlink()
        if not line:
            code = await self.process.wait()
            raise RuntimeError(f"{round_.name}: grpcload exited with {code}")
        result = json.loads(line)
        if "error" in result:
            raise RuntimeError(f"{round_.name}: grpcload refused the round: {result['error']}")
        if result["errors"]:
            raise RuntimeError(
                f"{round_.name}: {sum(result['errors'].values())} of {result['ops']} calls "
                f"failed {result['errors']}, first: {result['first_error']}"
            )
        assert result["ops"] == round_.ops == len(result["latencies_s"])
        return Figures(round_.name, result["ops"], result["seconds"], result["latencies_s"])

    async def close(self) -> None:
        """Closing stdin ends the process once its round is done."""
        if self.process.returncode is not None:
            return
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), CLOSE_TIMEOUT_S)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
