"""Free loopback TCP port finder for the local dev/test stack."""

from __future__ import annotations

import socket
from contextlib import ExitStack

LOOPBACK_HOST = "127.0.0.1"
MAX_PORTS_PER_CALL = 64


def find_free_ports(count: int, host: str = LOOPBACK_HOST) -> list[int]:
    """Return `count` distinct TCP ports that were free on `host` a moment ago.

    All sockets are held open until every port is chosen, so the kernel cannot hand the
    same ephemeral port out twice within one call. There is still a small window between
    closing the probe sockets and the server binding them; callers start the server right
    away, and a lost race shows up as a clear bind error in the server log.
    """
    if not 1 <= count <= MAX_PORTS_PER_CALL:
        raise ValueError(f"count must be in 1..{MAX_PORTS_PER_CALL}, got {count}")
    with ExitStack() as sockets:
        ports: list[int] = []
        for _ in range(count):
            sock = sockets.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((host, 0))
            ports.append(int(sock.getsockname()[1]))
        return ports


def find_free_port(host: str = LOOPBACK_HOST) -> int:
    """Return one TCP port that was free on `host` a moment ago."""
    return find_free_ports(1, host)[0]


def is_port_open(port: int, host: str = LOOPBACK_HOST, timeout_s: float = 0.5) -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False
