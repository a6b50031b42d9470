"""Every benchmark still runs end to end, each on its own stack, as the documented
command does. Credit: the Go load generator builds and its raw HTTP/2 calls succeed, the
direct-SQL baseline's statements still fit the schema, and the CPU split finds every
process. Gateway: its setup (members, an API key, a credit line) still passes the
gateway's rules; it had rotted once unnoticed when key scopes got a ceiling. Aggregator:
all three paths and the memory samples. Tiny runs, no figures checked: a benchmark is
never a timed assertion (docs/benchmarks.md has the real runs)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

REPO = Path(__file__).resolve().parents[2]


TINY = ["--ops", "200", "--rounds", "1", "--warm-up-ops", "50"]


def _run_on_its_own_stack(*command: str) -> str:
    # Its own stack, as a reader running the documented command would get.
    env = {k: v for k, v in os.environ.items() if k not in ("G60_PG_DSN", "G60_KAFKA_BOOTSTRAP")}
    done = subprocess.run(
        [sys.executable, *command],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_the_credit_bench_runs_both_paths() -> None:
    stdout = _run_on_its_own_stack("bench/bench_credit.py", *TINY, "--cpu")
    for label in ("RegisterCreditLine via gRPC", "Drawdown direct SQL", "loadgen", "credit"):
        assert label in stdout, stdout
    assert stdout.count("ratio gRPC / direct SQL") == 2, stdout
    assert stdout.count("CPU per op, direct SQL / gRPC") == 2, stdout


def test_the_layers_bench_runs_every_path() -> None:
    stdout = _run_on_its_own_stack("bench/credit_layers.py", *TINY)
    for command in ("RegisterCreditLine", "Drawdown"):
        for path in ("direct SQL", "handlers", "handlers + relay"):
            assert f"{command} {path} " in stdout, stdout


def test_the_gateway_bench_runs_both_paths() -> None:
    stdout = _run_on_its_own_stack(
        "bench/bench_gateway.py", "--ops", "100", "--rounds", "1", "--warm-up-ops", "20"
    )
    for label in ("gateway POST /v1/credit-lines", "direct gRPC RegisterCreditLine"):
        assert label in stdout, stdout
    assert "throughput ratio gateway/direct" in stdout, stdout


def test_the_aggregator_bench_runs_every_path() -> None:
    stdout = _run_on_its_own_stack("bench/bench_aggregator.py", "--events", "3000", "--probes", "5")
    for label in (
        "freshness commit->visible",
        "baseline aiokafka consume-and-sum",
        "Faust ceiling, empty agent",
        "aggregator, 1 worker",
        "ratio aggregator/baseline",
        "peak RSS",
    ):
        assert label in stdout, stdout


def test_the_grpc_floor_bench_runs_every_path() -> None:
    stdout = _run_on_its_own_stack("bench/grpc_floor.py", "--ops", "200", "--rounds", "1")
    for label in ("SQL in process", "gRPC, constant reply", "gRPC + the same SQL", "excess"):
        assert label in stdout, stdout
