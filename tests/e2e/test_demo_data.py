"""`./g60 up`'s demo data loads through the gateway, adds up in the alliance totals to
the fen, and can be loaded twice without changing anything. Its guarantee company
reads the lines it backs, their loans and its capacity with its own key."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from g60common.corridor import CORRIDOR_CITIES
from g60common.demo_data import GUARANTOR_CAPACITY_FEN, DemoResult, load_demo_data

from tests.e2e.conftest import RunningPlatform

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


def _totals_once(platform: RunningPlatform, want: DemoResult) -> dict[str, Any]:
    """The totals once every demo event has been applied (credit lines and applications
    are the last counts to arrive)."""
    deadline = time.monotonic() + 60
    with httpx.Client(
        base_url=platform.platform.gateway_url,
        headers={"X-API-Key": platform.operator_key},
        timeout=10,
    ) as client:
        while time.monotonic() < deadline:
            reply = client.get("/v1/totals")
            alliance = reply.json()["alliance"] if reply.status_code == 200 else {}
            if (
                alliance.get("credit_lines") == want.credit_lines
                and alliance.get("applications_submitted") == want.financing.applications
                and alliance.get("disbursements") == want.financing.disbursements
                and alliance.get("principal_repaid_fen") == want.financing.repaid_fen
            ):
                return dict(reply.json())
            time.sleep(0.3)
    raise AssertionError(f"totals never matched the demo data: {reply.text}")


def test_the_demo_data_adds_up_in_the_totals_and_loads_twice_alike(
    fresh_platform: RunningPlatform,
) -> None:
    gateway = fresh_platform.platform.gateway_url
    demo = load_demo_data(gateway, fresh_platform.operator_key)
    cities = len(CORRIDOR_CITIES)
    # Each enterprise: a line from its city's bank and from the next two cities' banks.
    assert len(demo.banks) == cities and demo.credit_lines == 3 * 3 * cities
    financing = demo.financing
    assert financing.applications == 3 * cities
    assert financing.disbursements == 2 * cities
    assert financing.rejected == (cities + 1) // 2
    assert financing.approved == 2 * cities - financing.rejected
    assert 0 < financing.repaid_fen < financing.disbursed_fen

    alliance = _totals_once(fresh_platform, demo)["alliance"]
    assert alliance["financing_disbursed_fen"] == financing.disbursed_fen
    assert alliance["outstanding_fen"] == financing.disbursed_fen - financing.repaid_fen
    assert alliance["applications_approved"] == financing.approved
    assert alliance["applications_rejected"] == financing.rejected
    assert alliance["enterprises_served"] == cities
    assert alliance["approval_rate"] is not None

    # Three banks lend in every city, so the public sees every city's figures; each
    # bank city is one bank's book and stays withheld.
    public = httpx.get(f"{gateway}/v1/totals", timeout=10).json()["by"]
    for code in CORRIDOR_CITIES:
        assert public["enterprise_city"][code]["banks_with_activity"] == 3, public
        assert public["enterprise_city"][code]["credit_granted_fen"] > 0
        assert public["bank_city"][code]["withheld"] is True

    _check_the_guarantor(gateway, demo)

    again = load_demo_data(gateway, fresh_platform.operator_key)
    assert again == demo
    time.sleep(1.0)  # anything a second load had written would be counted by now
    assert _totals_once(fresh_platform, demo)["alliance"] == alliance


def _check_the_guarantor(gateway: str, demo: DemoResult) -> None:
    """It backs half of each city's first line, from that city's bank; those lines' loans
    are every drawn one, so its capacity in use is half of what is outstanding."""
    cities = len(CORRIDOR_CITIES)
    with httpx.Client(
        base_url=gateway, headers={"X-API-Key": demo.guarantor_key}, timeout=10
    ) as client:
        lines = client.get("/v1/credit-lines").json()["credit_lines"]
        loans = client.get("/v1/applications").json()["applications"]
        capacity = client.get(f"/v1/guarantors/{demo.guarantor_id}/capacity").json()
    assert len(lines) == cities
    assert {line["bank_id"] for line in lines} == set(demo.banks.values())
    assert {(line["guarantor_id"], line["cover_ratio_bp"]) for line in lines} == {
        (demo.guarantor_id, 5_000)
    }
    assert len(loans) == cities and {loan["status"] for loan in loans} == {"DISBURSED"}
    money = demo.financing
    assert capacity["capacity_fen"] == GUARANTOR_CAPACITY_FEN
    # Each tranche's share is rounded up to the fen: at most one fen per movement.
    half_fen = (money.disbursed_fen - money.repaid_fen) / 2
    assert abs(capacity["used_fen"] - half_fen) <= 2 * money.disbursements
    assert capacity["available_fen"] == GUARANTOR_CAPACITY_FEN - capacity["used_fen"]
