"""`python -m g60common.platform_cli up`: the whole platform on this machine.

Starts PostgreSQL and Kafka, every service, loads demo data for the nine cities,
prints the URLs, and runs until Ctrl-C, then stops everything it started."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from g60common.demo_data import load_demo_data
from g60common.launcher import Platform, start_platform
from g60common.money import yuan_str
from g60common.stack import start_stack


def issue_operator_key(platform: Platform) -> str:
    """Through the gateway's own credentials tool, as an operator would."""
    reply = subprocess.run(
        [
            sys.executable,
            "-m",
            "g60_gateway.credentials_cli",
            "issue",
            "--type",
            "operator",
            "--principal",
            "alliance-office",
            "--scope",
            "admin",
        ],
        env=platform.env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return reply.stdout.strip()


def _print_urls(
    platform: Platform, operator_key: str, log_dir: Path, guarantor_key: str = ""
) -> None:
    print("\nG60 Alliance Credit Platform is running:")
    print(f"  gateway        {platform.gateway_url}")
    print(f"  API docs       {platform.gateway_url}/docs")
    print(f"  OpenAPI        {platform.gateway_url}/openapi.json")
    print(f"  totals         {platform.gateway_url}/v1/totals")
    print(f"  dashboard      {platform.gateway_url}/dashboard")
    for name, url in platform.metrics_urls().items():
        print(f"  metrics        {url}  ({name})")
    print(f"  members gRPC   {platform.members_target}")
    print(f"  credit gRPC    {platform.credit_target}")
    print(f"  operator key   {operator_key}")
    if guarantor_key:  # the demo's guarantee company in Hefei: GET /v1/guarantors/{id}/capacity
        print(f"  guarantor key  {guarantor_key}")
    print(f"  logs           {log_dir}")
    print("Press Ctrl-C to stop.", flush=True)


def up(with_demo: bool) -> int:
    started = time.monotonic()
    base = Path(tempfile.mkdtemp(prefix="g60-platform-"))
    base.chmod(0o755)  # PostgreSQL runs as its own user and must reach its data dir
    stack = start_stack(base_dir=base)
    print(
        f"infrastructure ready in {stack.total_s:.1f} s "
        f"(postgres {stack.pg_ready_s:.1f} s, kafka {stack.kafka_ready_s:.1f} s)",
        flush=True,
    )
    platform: Platform | None = None
    try:
        platform = start_platform(
            stack.pg_dsn, stack.kafka_bootstrap, base / "logs", prefer_default_ports=True
        )
        operator_key = issue_operator_key(platform)
        guarantor_key = ""
        if with_demo:
            demo = load_demo_data(platform.gateway_url, operator_key)
            money = demo.financing
            print(
                f"demo data: {len(demo.banks)} banks, {demo.credit_lines} credit lines, "
                f"{money.applications} financing applications ({money.approved} approved, "
                f"{money.rejected} rejected), {yuan_str(money.disbursed_fen)} yuan disbursed "
                f"in {money.disbursements} tranches, {yuan_str(money.repaid_fen)} repaid; "
                f"a guarantee company in Hefei backs half of each city's first line"
            )
            guarantor_key = demo.guarantor_key
        print(f"platform ready in {time.monotonic() - started:.1f} s")
        _print_urls(platform, operator_key, base / "logs", guarantor_key)
        _wait_for_stop()
    finally:
        if platform is not None:
            platform.stop()
        stack.stop()
    return 0


def _wait_for_stop() -> None:
    stop = {"flag": False}

    def _handler(signum: int, frame: object) -> None:
        stop["flag"] = True

    signal.signal(signal.SIGINT, _handler)
    signal.signal(signal.SIGTERM, _handler)
    while not stop["flag"]:
        time.sleep(0.5)
    print("\nstopping…", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["up"])
    parser.add_argument("--no-demo", action="store_true", help="start without demo data")
    args = parser.parse_args()
    return up(with_demo=not args.no_demo)


if __name__ == "__main__":
    sys.exit(main())
