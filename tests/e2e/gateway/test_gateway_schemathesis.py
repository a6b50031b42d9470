"""Schemathesis over /openapi.json against the running gateway, as each kind of
caller: no 5xx, and every response matches the documented schema and media type.

Fuzzing writes whatever it likes (an operator may suspend any member), so it runs on
its own fresh platform (tests/e2e/conftest.py's module-scoped fixture), not on the
package's shared world. Bounded: few examples per operation.

One worker: CPython 3.11's ast.parse can fail spuriously when two threads parse at
once (its recursion counter is shared; python/cpython#106905), and hypothesis does so
in schemathesis's workers when it describes a filter. With two workers that failed a
CI run twice in a row, so the race is removed, not retried."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import RunningPlatform
from tests.e2e.gateway.world import (
    HEFEI,
    new_application,
    new_bank,
    new_guarantor,
    new_line,
    new_sme,
    ok,
    post,
)

pytestmark = pytest.mark.e2e
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"
ST = Path(sys.executable).with_name("st")


@pytest.fixture(scope="module")
def keys(fresh_platform: RunningPlatform) -> dict[str, str]:
    """One key per caller kind, each with some objects of its own to find."""
    op = fresh_platform.operator_key
    with httpx.Client(base_url=fresh_platform.platform.gateway_url, timeout=15) as client:
        bank, sme = new_bank(client, op, HEFEI), new_sme(client, op, HEFEI)
        guarantor = new_guarantor(client, op, HEFEI)
        new_line(client, bank, sme)
        new_line(client, bank, sme, guarantor=guarantor)
        new_application(client, sme, bank)
        operator = ok(
            post(
                client,
                "/v1/credentials",
                op,
                {
                    "principal_type": "operator",
                    "principal_id": "schemathesis",
                    "scopes": ["rate_per_s=1000"],
                },
            )
        )
    return {
        "operator": operator["api_key"],
        "bank": bank.key,
        "sme": sme.key,
        "guarantor": guarantor.key,
    }


def _schemathesis(url: str, api_key: str, examples: int) -> subprocess.CompletedProcess[str]:
    command = [
        str(ST) if ST.exists() else shutil.which("st") or "st",
        "run",
        f"{url}/openapi.json",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(examples),
        "--workers",
        "1",
        "--seed",
        "60",
        "--request-timeout",
        "10",
        "--header",
        f"X-API-Key: {api_key}",
    ]
    # Its example database and reports go to a scratch directory, not the repository.
    with tempfile.TemporaryDirectory(prefix="g60-schemathesis-") as scratch:
        return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=scratch)


@pytest.mark.parametrize("caller", ["operator", "bank", "sme", "guarantor"])
def test_no_server_errors_and_no_schema_violations(
    fresh_platform: RunningPlatform, keys: dict[str, str], caller: str
) -> None:
    done = _schemathesis(fresh_platform.platform.gateway_url, keys[caller], examples=8)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "No issues found" in done.stdout or "passed" in done.stdout, done.stdout[-3000:]
