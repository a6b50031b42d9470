"""Starts the platform's processes against a running stack: the run command and the
end-to-end fixtures share it, so tests exercise exactly what users run.

Each service is a real subprocess (so tests can SIGKILL and restart it), configured
only through environment variables, with its log in the platform's log directory.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

from g60common.db import dsn_for_database, ensure_database
from g60common.stack.ports import find_free_ports, is_port_open

READY_TIMEOUT_S = 60.0
STOP_GRACE_S = 10.0
DATABASES = ("g60_members", "g60_credit", "g60_gateway")


@dataclass
class ServiceProcess:
    name: str
    module: str
    env: dict[str, str]
    log_path: Path
    ready_check: str  # "grpc:PORT" or "http:URL"
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=STOP_GRACE_S)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def wait_ready(self, timeout_s: float = READY_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.log_tail()}")
            if _is_ready(self.ready_check):
                return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready in {timeout_s} s:\n{self.log_tail()}")

    def log_tail(self, limit_chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-limit_chars:]
        except OSError:
            return ""


def _is_ready(check: str) -> bool:
    kind, target = check.split(":", 1)
    if kind == "grpc":
        return _grpc_serving(f"127.0.0.1:{target}")
    try:
        return httpx.get(target, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


def _grpc_serving(target: str) -> bool:
    with grpc.insecure_channel(target) as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=1.0
            )
        except grpc.RpcError:
            return False
    return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)


@dataclass
class Platform:
    """The running processes and where to reach them."""

    env: dict[str, str]
    services: dict[str, ServiceProcess] = field(default_factory=dict)

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.env['G60_GATEWAY_PORT']}"

    @property
    def aggregator_url(self) -> str:
        return f"http://127.0.0.1:{self.env['G60_AGGREGATOR_WEB_PORT']}"

    @property
    def members_target(self) -> str:
        return self.env["G60_MEMBERS_GRPC_TARGET"]

    @property
    def credit_target(self) -> str:
        return self.env["G60_CREDIT_GRPC_TARGET"]

    def metrics_urls(self) -> dict[str, str]:
        return {
            "members": f"http://127.0.0.1:{self.env['G60_MEMBERS_METRICS_PORT']}/metrics",
            "credit": f"http://127.0.0.1:{self.env['G60_CREDIT_METRICS_PORT']}/metrics",
            "gateway": f"{self.gateway_url}/metrics",
            "aggregator": f"{self.aggregator_url}/metrics",
        }

    def restart(self, name: str) -> None:
        service = self.services[name]
        service.stop()
        service.start()
        service.wait_ready()

    def stop(self) -> None:
        for service in reversed(list(self.services.values())):
            service.stop()


# What `./g60 up` tries first, so URLs stay the same from run to run; tests take
# whatever is free so that several platforms can run side by side.
PREFERRED_PORTS = {
    "members_grpc": 50051,
    "members_metrics": 9101,
    "credit_grpc": 50052,
    "credit_metrics": 9102,
    "gateway": 8080,
    "aggregator": 6066,
}


def _choose_ports(prefer_defaults: bool) -> dict[str, int]:
    spare = iter(find_free_ports(len(PREFERRED_PORTS)))
    return {
        name: port if prefer_defaults and not is_port_open(port) else next(spare)
        for name, port in PREFERRED_PORTS.items()
    }


# gRPC core's own switch, read once when a process loads grpc (so it has to be in the
# environment the service starts with; the Dockerfile sets the same). Its newer
# EventEngine listener hands every incoming request from an I/O thread to the completion
# queue's poller thread and then to the event loop; the older listener reads in the poller
# thread, which halves the thread switches per call (about 11 to 6) and saves ~17 µs of
# CPU per call. Measured in docs/benchmarks.md; an operator's own setting wins.
GRPC_EXPERIMENTS = "-event_engine_listener"


def platform_env(
    pg_admin_dsn: str, kafka_bootstrap: str, *, prefer_default_ports: bool = False
) -> dict[str, str]:
    ports = _choose_ports(prefer_default_ports)
    return {
        "GRPC_EXPERIMENTS": GRPC_EXPERIMENTS,
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "G60_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "G60_MEMBERS_PG_DSN": dsn_for_database(pg_admin_dsn, "g60_members"),
        "G60_CREDIT_PG_DSN": dsn_for_database(pg_admin_dsn, "g60_credit"),
        "G60_GATEWAY_PG_DSN": dsn_for_database(pg_admin_dsn, "g60_gateway"),
        "G60_MEMBERS_GRPC_BIND": f"127.0.0.1:{ports['members_grpc']}",
        "G60_MEMBERS_GRPC_TARGET": f"127.0.0.1:{ports['members_grpc']}",
        "G60_MEMBERS_METRICS_PORT": str(ports["members_metrics"]),
        "G60_CREDIT_GRPC_BIND": f"127.0.0.1:{ports['credit_grpc']}",
        "G60_CREDIT_GRPC_TARGET": f"127.0.0.1:{ports['credit_grpc']}",
        "G60_CREDIT_METRICS_PORT": str(ports["credit_metrics"]),
        "G60_GATEWAY_PORT": str(ports["gateway"]),
        "G60_AGGREGATOR_WEB_PORT": str(ports["aggregator"]),
        "G60_AGGREGATOR_URL": f"http://127.0.0.1:{ports['aggregator']}",
        # Local webhook receivers live on this machine.
        "G60_WEBHOOK_ALLOW_PRIVATE_TARGETS": "on",
    }


def start_platform(
    pg_admin_dsn: str, kafka_bootstrap: str, log_dir: Path, *, prefer_default_ports: bool = False
) -> Platform:
    """Create the service databases, start every service and wait until each is ready."""
    for name in DATABASES:
        asyncio.run(ensure_database(pg_admin_dsn, name))
    env = platform_env(pg_admin_dsn, kafka_bootstrap, prefer_default_ports=prefer_default_ports)
    log_dir.mkdir(parents=True, exist_ok=True)
    # Each platform gets its own Faust data dir, so platforms can run side by side.
    env["G60_AGGREGATOR_DATA_DIR"] = str(log_dir.parent / "aggregator-data")
    platform = Platform(env=env)
    specs = [
        ("members", "g60_members", f"grpc:{env['G60_MEMBERS_GRPC_BIND'].rsplit(':', 1)[1]}"),
        ("credit", "g60_credit", f"grpc:{env['G60_CREDIT_GRPC_BIND'].rsplit(':', 1)[1]}"),
        (
            "aggregator",
            "g60_aggregator",
            f"http:http://127.0.0.1:{env['G60_AGGREGATOR_WEB_PORT']}/healthz",
        ),
        ("gateway", "g60_gateway", f"http:http://127.0.0.1:{env['G60_GATEWAY_PORT']}/healthz"),
    ]
    try:
        for name, module, check in specs:
            service = ServiceProcess(name, module, env, log_dir / f"{name}.log", check)
            platform.services[name] = service
            service.start()
        for service in platform.services.values():
            service.wait_ready()
    except BaseException:
        platform.stop()
        raise
    return platform
