"""The live dashboard rendered by headless Chromium against the real stack: the
headline figures, the nine-city chart and the monthly series match GET /v1/totals."""

from __future__ import annotations

import re
import subprocess
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from g60common.corridor import CORRIDOR_CITIES

from tests.e2e.gateway.world import World

pytestmark = pytest.mark.e2e
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--virtual-time-budget=8000",
]


def _chromium(url: str, *extra: str) -> str:
    with tempfile.TemporaryDirectory(prefix="g60-chromium-") as profile:
        done = subprocess.run(
            [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, url],
            capture_output=True,
            text=True,
            timeout=90,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _stable_totals(url: str) -> dict[str, Any]:
    """Totals once two reads a second apart agree (the aggregator publishes on a timer)."""
    previous = None
    for _ in range(30):
        current = httpx.get(f"{url}/v1/totals", timeout=10).json()
        if current == previous and current["alliance"]["credit_granted_fen"] > 0:
            return dict(current)
        previous = current
        time.sleep(1.0)
    raise AssertionError("totals did not settle")


def _fen_of(dom: str, attr: str, value: str) -> int:
    match = re.search(rf'{attr}="{value}"[^>]*data-fen="(\d+)"', dom) or re.search(
        rf'data-fen="(\d+)"[^>]*{attr}="{value}"', dom
    )
    assert match, f"{attr}={value} not rendered"
    return int(match.group(1))


def _percent(ratio: str | None) -> str:
    """How the dashboard shows a 4-place decimal ratio: as a percentage, exactly."""
    if ratio is None:
        return "—"
    return f"{Decimal(ratio) * 100:.2f}%"


def _disbursed(measures: dict[str, Any]) -> int:
    keys = [k for k in measures if re.fullmatch(r"disburs.*_fen|.*disburs.*_fen", k)]
    return int(measures[keys[0]]) if keys else 0


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium absent: run scripts/bootstrap.sh"
)
def test_dashboard_shows_the_live_totals(world: World) -> None:
    totals = _stable_totals(world.url)
    dom = _chromium(f"{world.url}/dashboard", "--dump-dom")
    assert 'data-ready="true"' in dom, dom[-2000:]
    alliance = totals["alliance"]
    assert _fen_of(dom, "id", "credit-granted") == alliance["credit_granted_fen"]
    assert _fen_of(dom, "id", "financing-disbursed") == _disbursed(alliance)
    assert _fen_of(dom, "id", "outstanding") == alliance["outstanding_fen"]
    assert _fen_of(dom, "id", "principal-overdue") == alliance.get("principal_overdue_fen", 0)
    overdue_outstanding = alliance.get("principal_overdue_outstanding_fen", 0)
    assert _fen_of(dom, "id", "overdue-outstanding") == overdue_outstanding
    nonperforming = alliance.get("principal_nonperforming_fen", 0)
    assert _fen_of(dom, "id", "nonperforming") == nonperforming
    ratio = re.search(r'id="nonperforming-ratio">([^<]*)<', dom)
    assert ratio and ratio.group(1) == _percent(alliance.get("nonperforming_ratio")), ratio
    by_city = totals["by"]["enterprise_city"]
    for code in CORRIDOR_CITIES:
        if by_city[code].get("withheld"):  # < 3 banks or enterprises: no figure shown
            assert re.search(rf'data-key="{code}"[^>]*data-withheld="true"', dom), code
            assert _fen_of(dom, "data-key", code) == 0, code
        else:
            assert _fen_of(dom, "data-key", code) == by_city[code]["credit_granted_fen"], code
    assert dom.count('class="month"') == 12
    assert "合肥" in dom and "Hefei" in dom
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "dashboard.png"
    _chromium(f"{world.url}/dashboard", f"--screenshot={shot}", "--window-size=1280,900")
    assert shot.stat().st_size > 10_000
