"""Throwaway local PostgreSQL server for the dev/test stack (no Docker on the target machines).

Every instance owns a fresh temp directory holding the cluster, its log and its unix
socket, listens on a free loopback port, and trusts local connections as role `g60`.
"""

from __future__ import annotations

import atexit
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from g60common.stack.ports import LOOPBACK_HOST, find_free_port

PG_ROLE = "g60"
DEFAULT_DATABASE = "g60"
PG_SYSTEM_USER = "postgres"  # PostgreSQL refuses to run as root; run as this account instead.
PG_INSTALL_ROOT = Path("/usr/lib/postgresql")
PG_BIN_DIR_ENV = "G60_PG_BIN_DIR"

INITDB_TIMEOUT_S = 120.0
CLIENT_TOOL_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 30.0
KILL_WAIT_S = 10.0
LOG_TAIL_CHARS = 4000
MAX_START_ATTEMPTS = 3
STACK_CONF_NAME = "g60_stack.conf"

_DB_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PostgresError(RuntimeError):
    """The local PostgreSQL server could not be set up, started or used."""


def find_pg_bin_dir(install_root: Path = PG_INSTALL_ROOT) -> Path:
    """Directory with the newest installed server binaries (`$G60_PG_BIN_DIR` wins)."""
    override = os.environ.get(PG_BIN_DIR_ENV)
    if override:
        bin_dir = Path(override)
        if not (bin_dir / "postgres").is_file():
            raise PostgresError(f"{PG_BIN_DIR_ENV}={override} has no postgres binary")
        return bin_dir
    candidates = [
        d / "bin"
        for d in install_root.glob("*")
        if d.name.isdigit() and (d / "bin" / "postgres").is_file()
    ]
    if not candidates:
        raise PostgresError(
            f"no PostgreSQL server binaries under {install_root}/<version>/bin; "
            "run scripts/bootstrap.sh"
        )
    return max(candidates, key=lambda p: int(p.parent.name))


def _utf8_c_locale_available() -> bool:
    try:
        out = subprocess.run(
            ["locale", "-a"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False
    return any(name.lower().replace("-", "") == "c.utf8" for name in out.split())


def _tail(path: Path, limit_chars: int = LOG_TAIL_CHARS) -> str:
    try:
        return path.read_text(errors="replace")[-limit_chars:]
    except OSError:
        return "(no log)"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _wait_pid_gone(pid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not _pid_alive(pid):
            return True
        time.sleep(0.05)
    return not _pid_alive(pid)


def _check_traversable(path: Path, uid: int, gid: int) -> None:
    """Fail early (with a readable message) if `uid` cannot reach `path`.

    Otherwise initdb fails later with a cryptic "could not change directory" error,
    typically when the base dir sits under /root (mode 0700).
    """
    for parent in path.resolve().parents:
        st = parent.stat()
        if st.st_uid == uid:
            ok = bool(st.st_mode & stat.S_IXUSR)
        elif st.st_gid == gid:
            ok = bool(st.st_mode & stat.S_IXGRP)
        else:
            ok = bool(st.st_mode & stat.S_IXOTH)
        if not ok:
            raise PostgresError(
                f"user {PG_SYSTEM_USER!r} cannot traverse {parent}; "
                "choose a base dir it can reach (e.g. the system temp dir)"
            )


class PostgresServer:
    """One PostgreSQL cluster in a temp dir, started with `start()`, removed by `stop()`.

    `durable=False` (the default) turns off fsync, synchronous_commit and
    full_page_writes: the test stack wants speed, and our crash tests kill services,
    never PostgreSQL itself, so committed data still survives every scenario we test.
    """

    def __init__(
        self,
        base_dir: Path | None = None,
        *,
        durable: bool = False,
        keep: bool = False,
        port: int | None = None,
        max_connections: int = 300,
        start_timeout_s: float = 60.0,
        bin_dir: Path | None = None,
    ) -> None:
        self._base_dir = base_dir
        self._durable = durable
        self._keep = keep
        self._requested_port = port
        self._max_connections = max_connections
        self._start_timeout_s = start_timeout_s
        self._bin_dir = bin_dir
        self._root_dir: Path | None = None
        self._port: int | None = None
        self._pid: int | None = None
        self._run_as: list[str] = []
        self.ready_s: float | None = None

    # ----------------------------------------------------------------- properties

    @property
    def port(self) -> int:
        if self._port is None:
            raise PostgresError("PostgreSQL is not started")
        return self._port

    @property
    def dsn(self) -> str:
        return self.dsn_for(DEFAULT_DATABASE)

    def dsn_for(self, dbname: str) -> str:
        return f"postgresql://{PG_ROLE}@{LOOPBACK_HOST}:{self.port}/{dbname}"

    @property
    def pid(self) -> int | None:
        """Postmaster pid (a daemon started by pg_ctl, not our child)."""
        return self._pid

    @property
    def root_dir(self) -> Path:
        if self._root_dir is None:
            raise PostgresError("PostgreSQL is not started")
        return self._root_dir

    @property
    def data_dir(self) -> Path:
        return self.root_dir / "data"

    @property
    def log_path(self) -> Path:
        return self.root_dir / "postgres.log"

    @property
    def running(self) -> bool:
        return self._pid is not None and _pid_alive(self._pid)

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> PostgresServer:
        if self._root_dir is not None:
            raise PostgresError("PostgreSQL already started")
        started_at = time.monotonic()
        bin_dir = self._bin_dir or find_pg_bin_dir()
        self._bin_dir = bin_dir
        self._root_dir = Path(tempfile.mkdtemp(prefix="g60-pg-", dir=self._base_dir))
        try:
            self._prepare_ownership()
            self._initdb()
            self._start_on_free_port()
            self._pid = self._read_postmaster_pid()
            atexit.register(self.stop)
            self.create_database(DEFAULT_DATABASE)
        except BaseException:
            self.stop()
            raise
        self.ready_s = time.monotonic() - started_at
        return self

    def stop(self) -> None:
        """Fast shutdown (rolls back open transactions), then remove the temp dir."""
        atexit.unregister(self.stop)
        if self._root_dir is None:
            return
        # A failed start may leave a postmaster we never recorded: look it up.
        pid = self._pid or self._try_read_postmaster_pid()
        if pid is not None:
            self._shutdown(pid)
        self._pid = None
        if not self._keep:
            shutil.rmtree(self._root_dir, ignore_errors=True)
            self._root_dir = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ----------------------------------------------------------------- databases

    def create_database(self, name: str, *, exist_ok: bool = False) -> str:
        """Create database `name` owned by role g60 and return its DSN."""
        self._check_db_name(name)
        result = self._client_tool("createdb", name)
        if result.returncode != 0 and not (exist_ok and "already exists" in result.stderr):
            raise PostgresError(f"createdb {name} failed: {result.stderr.strip()}")
        return self.dsn_for(name)

    def drop_database(self, name: str) -> None:
        """Drop database `name` if it exists, disconnecting its sessions first."""
        self._check_db_name(name)
        result = self._client_tool("dropdb", "--if-exists", "--force", name)
        if result.returncode != 0:
            raise PostgresError(f"dropdb {name} failed: {result.stderr.strip()}")

    # ----------------------------------------------------------------- internals

    @staticmethod
    def _check_db_name(name: str) -> None:
        # Names go into SQL identifiers via client tools; keep them boring.
        if not _DB_NAME_RE.match(name):
            raise ValueError(f"database name must match {_DB_NAME_RE.pattern}: {name!r}")

    def _prepare_ownership(self) -> None:
        if os.geteuid() != 0:
            self._run_as = []
            return
        try:
            account = pwd.getpwnam(PG_SYSTEM_USER)
        except KeyError as exc:
            raise PostgresError(
                f"running as root needs the {PG_SYSTEM_USER!r} account "
                "(installed with the postgresql package)"
            ) from exc
        _check_traversable(self.root_dir, account.pw_uid, account.pw_gid)
        os.chown(self.root_dir, account.pw_uid, account.pw_gid)
        self._run_as = ["runuser", "-u", PG_SYSTEM_USER, "--"]

    def _bin(self, tool: str) -> str:
        assert self._bin_dir is not None
        return str(self._bin_dir / tool)

    def _run_server_tool(self, args: list[str], timeout_s: float) -> None:
        cmd = [*self._run_as, *args]
        try:
            result = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                timeout=timeout_s,
                check=False,
                stdin=subprocess.DEVNULL,
                cwd=self.root_dir,  # the postgres account may not be able to read our cwd
            )
        except subprocess.TimeoutExpired as exc:
            raise PostgresError(
                f"{args[0]} timed out after {timeout_s:.0f} s\n{_tail(self.log_path)}"
            ) from exc
        if result.returncode != 0:
            raise PostgresError(
                f"{' '.join(args[:2])} failed ({result.returncode}):\n"
                f"{result.stdout[-LOG_TAIL_CHARS:]}{result.stderr[-LOG_TAIL_CHARS:]}\n"
                f"--- server log tail ---\n{_tail(self.log_path)}"
            )

    def _initdb(self) -> None:
        locale_args = ["--locale=C.UTF-8"] if _utf8_c_locale_available() else ["--no-locale"]
        args = [
            self._bin("initdb"),
            "-D", str(self.data_dir),
            "-A", "trust",
            "-U", PG_ROLE,
            "--encoding=UTF8",
            *locale_args,
        ]  # fmt: skip
        if not self._durable:
            args.append("--no-sync")  # skips ~1 s of fsyncs for a throwaway cluster
        self._run_server_tool(args, INITDB_TIMEOUT_S)
        with (self.data_dir / "postgresql.conf").open("a", encoding="utf-8") as fh:
            fh.write(f"\ninclude = '{STACK_CONF_NAME}'\n")

    def _start_on_free_port(self) -> None:
        for attempt in range(1, MAX_START_ATTEMPTS + 1):
            self._port = self._requested_port or find_free_port()
            self._write_config()
            try:
                self._pg_ctl_start()
                return
            except PostgresError:
                # Another process may grab the probed port before we bind it: pick again.
                clash = "could not bind" in _tail(self.log_path)
                if not clash or self._requested_port or attempt == MAX_START_ATTEMPTS:
                    raise

    def _write_config(self) -> None:
        """(Re)write our settings file; postgresql.conf includes it (see _initdb)."""
        lines = [
            "# --- g60 local stack (written by g60common.stack.postgres) ---",
            f"port = {self.port}",
            f"listen_addresses = '{LOOPBACK_HOST}'",
            f"unix_socket_directories = '{self.root_dir}'",
            f"max_connections = {self._max_connections}",
        ]
        if not self._durable:
            lines += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        # Root writes it, but postgres only needs to read it (mode 0644).
        (self.data_dir / STACK_CONF_NAME).write_text("\n".join(lines) + "\n", encoding="utf-8")

    def _pg_ctl_start(self) -> None:
        timeout_s = max(1, int(self._start_timeout_s))
        args = [
            self._bin("pg_ctl"), "start",
            "-D", str(self.data_dir),
            "-l", str(self.log_path),
            "-w", "-t", str(timeout_s),
            "-s",
        ]  # fmt: skip
        self._run_server_tool(args, self._start_timeout_s + 10)

    def _read_postmaster_pid(self) -> int:
        pid_file = self.data_dir / "postmaster.pid"
        try:
            return int(pid_file.read_text().split("\n", 1)[0])
        except (OSError, ValueError) as exc:
            raise PostgresError(f"cannot read {pid_file}\n{_tail(self.log_path)}") from exc

    def _try_read_postmaster_pid(self) -> int | None:
        try:
            return self._read_postmaster_pid()
        except PostgresError:
            return None

    def _client_tool(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PGCONNECT_TIMEOUT": "5"}
        cmd = [
            self._bin(tool),
            "-h", LOOPBACK_HOST,
            "-p", str(self.port),
            "-U", PG_ROLE,
            "-w",
            *args,
        ]  # fmt: skip
        try:
            return subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                timeout=CLIENT_TOOL_TIMEOUT_S,
                check=False,
                env=env,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as exc:
            raise PostgresError(f"{tool} timed out after {CLIENT_TOOL_TIMEOUT_S:.0f} s") from exc

    def _shutdown(self, pid: int) -> None:
        if self._root_dir is not None and self.data_dir.is_dir():
            args = [
                self._bin("pg_ctl"), "stop",
                "-D", str(self.data_dir),
                "-m", "fast", "-w",
                "-t", str(int(STOP_TIMEOUT_S)),
                "-s",
            ]  # fmt: skip
            try:
                self._run_server_tool(args, STOP_TIMEOUT_S + 5)
            except PostgresError:
                pass  # fall through to signals below
        if _wait_pid_gone(pid, 0.0):
            return
        # SIGQUIT = immediate shutdown; SIGKILL only if even that hangs.
        for sig in (signal.SIGQUIT, signal.SIGKILL):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return
            if _wait_pid_gone(pid, KILL_WAIT_S):
                return
