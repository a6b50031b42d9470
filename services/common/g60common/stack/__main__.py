"""CLI for the local stack.

    python -m g60common.stack up [--state-file PATH] [--base-dir DIR] [--durable] [--keep]
    python -m g60common.stack down [--state-file PATH]
    python -m g60common.stack env [--state-file PATH]     # shell exports for G60_* vars
    python -m g60common.stack fetch-jars                  # pre-fetch the Kafka jars

`up` stays in the foreground until SIGINT/SIGTERM (or until a server dies) and then stops
both servers; the state file appears only once both are ready, so launchers can wait on it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from g60common.stack import KAFKA_BOOTSTRAP_ENV, PG_DSN_ENV, Stack, ensure_jars, start_stack
from g60common.stack.jars import KafkaError, find_repo_root

HEALTH_POLL_S = 1.0
SIGNAL_POLL_S = 0.2
DOWN_TIMEOUT_S = 45.0
KILL_WAIT_S = 20.0


def default_state_file() -> Path:
    try:
        root = find_repo_root()
    except KafkaError:
        root = Path.cwd()
    return root / ".stack" / "state.json"


def _write_json_atomically(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(payload, indent=2) + "\n")
    tmp.replace(path)


def _print(message: str) -> None:
    print(message, flush=True)


# --------------------------------------------------------------------------- state & pids


def _read_state(state_file: Path) -> dict[str, Any] | None:
    try:
        state: dict[str, Any] = json.loads(state_file.read_text())
    except FileNotFoundError:
        return None
    return state


def _pid_alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie (an unreaped dead process)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # Field 3 is the state; the command name before it may contain spaces, so split after ')'.
    return stat.rpartition(")")[2].split()[0] != "Z"


def _cmdline_has(pid: int, needle: str) -> bool:
    """Guards against pid reuse: only signal a pid that still runs what we started."""
    try:
        return needle in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False


def _supervisor_alive(state: dict[str, Any]) -> int | None:
    """Pid of the `up` process recorded in `state`, if it is still running."""
    pid = state.get("supervisor_pid")
    if isinstance(pid, int) and _pid_alive(pid) and _cmdline_has(pid, "g60common.stack"):
        return pid
    return None


# --------------------------------------------------------------------------- up


def _dead_server(stack: Stack) -> str | None:
    if not stack.pg.running:
        return f"postgres died; log: {stack.pg.log_path}"
    if not stack.kafka.running:
        return f"kafka died; logs: {stack.kafka.stdout_path} {stack.kafka.log_path}"
    return None


def _record_stop_signals() -> list[int]:
    """Route SIGINT/SIGTERM into a list the main loop polls.

    Installed before starting, so a signal during startup lets both servers finish
    starting and then stop cleanly instead of orphaning them. The handler only appends:
    taking a lock (e.g. Event.set) inside a signal handler can deadlock the main thread.
    """
    received: list[int] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    return received


def _serve_until_signal(stack: Stack, received: list[int]) -> int:
    next_health_check = time.monotonic()
    while not received:
        if time.monotonic() >= next_health_check:
            dead = _dead_server(stack)
            if dead is not None:
                _print(f"error: {dead}")
                return 1
            next_health_check = time.monotonic() + HEALTH_POLL_S
        time.sleep(SIGNAL_POLL_S)
    _print(f"got {signal.Signals(received[0]).name}, stopping")
    return 0


def _unlink_if_ours(state_file: Path, supervisor_pid: int) -> None:
    state = _read_state(state_file)
    if state is not None and state.get("supervisor_pid") == supervisor_pid:
        state_file.unlink(missing_ok=True)


def cmd_up(args: argparse.Namespace) -> int:
    state_file: Path = args.state_file
    existing = _read_state(state_file)
    if existing is not None and _supervisor_alive(existing) is not None:
        print(f"a stack is already up (state file {state_file}); run `down` first", file=sys.stderr)
        return 1
    received = _record_stop_signals()
    _print("starting postgres and kafka ...")
    stack = start_stack(args.base_dir, durable=args.durable, keep=args.keep)
    try:
        _print(f"postgres ready in {stack.pg_ready_s:.1f} s  {stack.pg_dsn}")
        _print(
            f"kafka ready in {stack.kafka_ready_s:.1f} s "
            f"(jars {stack.kafka.jars_s or 0.0:.1f} s)  {stack.kafka_bootstrap}"
        )
        _print(f"stack ready in {stack.total_s:.1f} s; state file {state_file}")
        _write_json_atomically(
            state_file, {"supervisor_pid": os.getpid(), "keep": args.keep, **stack.state()}
        )
        return _serve_until_signal(stack, received)
    finally:
        stopped_at = time.monotonic()
        stack.stop()
        _unlink_if_ours(state_file, os.getpid())
        _print(f"stack stopped in {time.monotonic() - stopped_at:.1f} s")


# --------------------------------------------------------------------------- down


def _signal_and_wait(pid: int, sig: signal.Signals, timeout_s: float) -> bool:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not _pid_alive(pid):
            return True
        time.sleep(0.1)
    return False


# (state key, cmdline marker, graceful signal): SIGINT is PostgreSQL's "fast shutdown",
# SIGTERM is Kafka's controlled shutdown.
_SERVERS = (("postgres", "postgres", signal.SIGINT), ("kafka", "kafka.Kafka", signal.SIGTERM))


def _kill_orphans(state: dict[str, Any]) -> None:
    """Stop servers a dead supervisor left behind, and remove their dirs."""
    for name, marker, graceful in _SERVERS:
        info = state.get(name, {})
        pid = info.get("pid")
        if isinstance(pid, int) and _pid_alive(pid) and _cmdline_has(pid, marker):
            _print(f"stopping orphaned {name} pid {pid}")
            if not _signal_and_wait(pid, graceful, KILL_WAIT_S):
                _signal_and_wait(pid, signal.SIGKILL, KILL_WAIT_S)
        root_dir = info.get("root_dir")
        if isinstance(root_dir, str) and not state.get("keep", False):
            shutil.rmtree(root_dir, ignore_errors=True)


def cmd_down(args: argparse.Namespace) -> int:
    state_file: Path = args.state_file
    state = _read_state(state_file)
    if state is None:
        _print(f"no state file at {state_file}; nothing to stop")
        return 0
    supervisor = _supervisor_alive(state)
    if supervisor is not None:
        _print(f"asking stack supervisor pid {supervisor} to stop")
        if not _signal_and_wait(supervisor, signal.SIGTERM, DOWN_TIMEOUT_S):
            _print("supervisor did not stop in time; killing it")
            _signal_and_wait(supervisor, signal.SIGKILL, KILL_WAIT_S)
    _kill_orphans(state)  # no-op after a clean supervisor shutdown
    _unlink_if_ours(state_file, state.get("supervisor_pid", -1))
    return 0


# --------------------------------------------------------------------------- misc


def cmd_env(args: argparse.Namespace) -> int:
    state = _read_state(args.state_file)
    if state is None:
        print(f"no state file at {args.state_file}; is `stack up` running?", file=sys.stderr)
        return 1
    _print(f"export {PG_DSN_ENV}='{state['pg_dsn']}'")
    _print(f"export {KAFKA_BOOTSTRAP_ENV}='{state['kafka_bootstrap']}'")
    return 0


def cmd_fetch_jars(_args: argparse.Namespace) -> int:
    started_at = time.monotonic()
    libs = ensure_jars()
    _print(f"kafka jars ready in {time.monotonic() - started_at:.1f} s: {libs}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m g60common.stack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="start PostgreSQL + Kafka and stay in the foreground")
    up.add_argument(
        "--base-dir",
        type=Path,
        default=None,
        help="where the temp dirs go (default: system temp dir)",
    )
    up.add_argument("--durable", action="store_true", help="keep fsync etc. on in PostgreSQL")
    up.add_argument("--keep", action="store_true", help="keep data dirs after stopping")
    up.set_defaults(func=cmd_up)

    down = sub.add_parser("down", help="stop a stack started by `up`")
    down.set_defaults(func=cmd_down)

    env = sub.add_parser("env", help="print shell exports for a running stack")
    env.set_defaults(func=cmd_env)

    for command in (up, down, env):
        command.add_argument("--state-file", type=Path, default=default_state_file())

    fetch = sub.add_parser("fetch-jars", help="download the Kafka broker jars into the cache")
    fetch.set_defaults(func=cmd_fetch_jars)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    exit_code: int = args.func(args)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
