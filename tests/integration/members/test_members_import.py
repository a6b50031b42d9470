"""The CSV bulk import: 10,000 enterprises with 1% bad rows, through the real CLI and
the real service; a re-run writes nothing new."""

from __future__ import annotations

import csv
import random
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import pytest
from g60_members.entrypoints.csv_rows import ENTERPRISE_COLUMNS
from members_helpers import new_uscc

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]
ROWS = 10_000
BAD_EVERY = 100  # 1% of the rows
IMPORT_TIMEOUT_S = 60.0
CITIES = ("310117", "330400", "330100", "330700", "320500", "330500", "341800", "340200")

# Each bad row breaks one rule; the importer must name the field.
BAD_ROWS = (
    ({"uscc": "91350100M000100Y44"}, "uscc"),
    ({"city": "999999"}, "city"),
    ({"registered_capital_fen": "五百万"}, "registered_capital_fen"),
    ({"name": ""}, "name"),
    ({"industry": "OTHER", "industry_code": ""}, "industry_code"),
)


def good_row(rng: random.Random, n: int) -> dict[str, str]:
    city = rng.choice(CITIES)
    outside = n % 50 == 7  # some enterprises sit outside the nine cities
    return {
        "name": f"长三角科创企业{n:05d}有限公司",
        "uscc": new_uscc("361100" if outside else city),
        "city": "OTHER" if outside else city,
        "region_code": "361100" if outside else "",
        "industry": rng.choice(["ARTIFICIAL_INTELLIGENCE", "BIOMEDICINE", "NEW_MATERIALS"]),
        "industry_code": "",
        "size_class": rng.choice(["MICRO", "SMALL", "MEDIUM"]),
        "designations": "HIGH_TECH;TECH_SME" if n % 3 == 0 else "",
        "registered_capital_fen": str(rng.randrange(1, 10**9) * 100),
    }


def write_file(path: Path) -> dict[int, str]:
    """Writes the CSV; returns the expected bad field by line number."""
    rng = random.Random(4754)
    expected_bad: dict[int, str] = {}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=ENTERPRISE_COLUMNS)
        writer.writeheader()
        for n in range(ROWS):
            row = good_row(rng, n)
            if n % BAD_EVERY == BAD_EVERY // 2:
                breakage, bad_field = BAD_ROWS[(n // BAD_EVERY) % len(BAD_ROWS)]
                row.update(breakage)
                expected_bad[n + 2] = bad_field  # line 1 is the header
            writer.writerow(row)
    return expected_bad


def run_import(path: Path, target: str) -> tuple[int, str]:
    command = [sys.executable, "-m", "g60_members.import_csv", "enterprises", str(path)]
    options = ["--target", target, "--concurrency", "32", "--no-progress"]
    started = time.monotonic()
    done = subprocess.run(
        [*command, *options],
        capture_output=True,
        text=True,
        timeout=IMPORT_TIMEOUT_S,
        check=False,
    )
    print(f"import took {time.monotonic() - started:.1f} s")
    return done.returncode, done.stdout


def reported_lines(stdout: str) -> dict[int, str]:
    found: dict[int, str] = {}
    for line in stdout.splitlines():
        if line.startswith("line "):
            number, reason = line[len("line ") :].split(": ", 1)
            found[int(number)] = reason
    return found


async def test_import_loads_good_rows_and_reports_bad_ones(
    tmp_path: Path, members_target: str, members_db: asyncpg.Connection
) -> None:
    path = tmp_path / "enterprises.csv"
    expected_bad = write_file(path)
    before = await members_db.fetchval("SELECT count(*) FROM enterprises")

    code, out = run_import(path, members_target)

    good = ROWS - len(expected_bad)
    assert code == 1, out[-2000:]
    assert f"enterprises: {good} written, 0 already present, {len(expected_bad)} failed" in out
    reported = reported_lines(out)
    assert set(reported) == set(expected_bad)
    for line, bad_field in expected_bad.items():
        assert reported[line].startswith(f"{bad_field}:"), reported[line]
    assert await members_db.fetchval("SELECT count(*) FROM enterprises") == before + good

    code, out = run_import(path, members_target)

    assert code == 1
    summary = f"enterprises: 0 written, {good} already present, {len(expected_bad)} failed"
    assert summary in out
    assert await members_db.fetchval("SELECT count(*) FROM enterprises") == before + good
