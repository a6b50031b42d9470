"""Throwaway single-node Kafka broker (KRaft, broker+controller) for the dev/test stack.

The broker jars come from Maven Central through deploy/kafka/pom.xml and are cached per
pom checksum, so a warm start downloads nothing and needs only `java` on the machine.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import concurrent.futures
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from types import TracebackType
from typing import IO

from g60common.stack.jars import KafkaError, ensure_jars, find_repo_root
from g60common.stack.ports import LOOPBACK_HOST, find_free_ports, is_port_open

FORMAT_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 20.0
KILL_WAIT_S = 10.0
PROBE_INTERVAL_S = 0.2
PROBE_REQUEST_TIMEOUT_S = 5.0
LOG4J_CONFIG_RELPATH = Path("deploy/kafka/log4j2.properties")
LOG_TAIL_CHARS = 3000
LOG_SCAN_CHARS = 1_000_000
MAX_ERROR_LINES = 15
MAX_START_ATTEMPTS = 3

# Bounded heap: the whole platform shares a 2-core machine.
DEFAULT_HEAP_MAX_MB = 768
HEAP_MIN_MB = 256
BROKER_JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    # C1 only (no C2). In a fresh broker C2 compiler threads take ~40 % of its CPU for
    # minutes, and tests/benchmarks only see fresh brokers. Broker CPU per event under a
    # relay-like load (900 ev/s, 100-event transactions + send_offsets, a read_committed
    # consumer), this flag plus the thread/idle props below, 4-5 runs each: first 2 min
    # 167 -> 81 us, minutes 3-4 85 -> 67 us (one 10-min run: minutes 8-10 70 -> 65 us);
    # startup 3.6 -> 1.9 CPU-s. C2 code is faster in the request handlers (~35 vs ~45
    # us/event) but would need ~30 min more of sustained load to repay its compile cost.
    "-XX:TieredStopAtLevel=1",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
    # Kafka logs its own shutdown from its shutdown hook; log4j's hook would race it and
    # drop the tail of the log. Appenders flush every line, so nothing is lost without it.
    "-Dlog4j2.shutdownHookEnabled=false",
)
# The storage tool lives for ~1 s: C1-only JIT and a small heap start it faster.
TOOL_JVM_FLAGS = ("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")


# --------------------------------------------------------------------------- helpers


def find_java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise KafkaError("java not found; run scripts/bootstrap.sh")
    return java


def random_cluster_id() -> str:
    """Same format as Kafka's Uuid.randomUuid(): base64url, no padding, 22 chars."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):  # Kafka avoids these: they parse as CLI flags
            return cluster_id


def _tail(path: Path, limit_chars: int = LOG_TAIL_CHARS) -> str:
    try:
        return path.read_text(errors="replace")[-limit_chars:]
    except OSError:
        return "(no log)"


async def _serves_metadata(bootstrap: str) -> bool:
    # Imported lazily: the CLI's `fetch-jars` path should not need aiokafka.
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap,
        request_timeout_ms=int(PROBE_REQUEST_TIMEOUT_S * 1000),
    )
    try:
        await asyncio.wait_for(admin.start(), PROBE_REQUEST_TIMEOUT_S)
        await asyncio.wait_for(admin.list_topics(), PROBE_REQUEST_TIMEOUT_S)
        return True
    except Exception:  # any failure just means "not yet"; the caller bounds the wait
        return False
    finally:
        await admin.close()


def _probe_metadata(bootstrap: str) -> bool:
    # A fresh loop in a worker thread works whether or not the caller runs an event loop.
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="kafka-probe") as pool:
        return pool.submit(asyncio.run, _serves_metadata(bootstrap)).result()


# --------------------------------------------------------------------------- broker


class KafkaBroker:
    """A single-node KRaft Kafka broker in a temp dir: `start()`, then `stop()`.

    Topic auto-creation stays on (Faust creates its internal topics itself, but ad-hoc
    test topics are simpler with it) and new topics default to `num_partitions`.
    """

    def __init__(
        self,
        repo_root: Path | None = None,
        base_dir: Path | None = None,
        *,
        keep: bool = False,
        heap_max_mb: int = DEFAULT_HEAP_MAX_MB,
        num_partitions: int = 6,
        start_timeout_s: float = 60.0,
    ) -> None:
        if not HEAP_MIN_MB <= heap_max_mb <= 1024:
            raise ValueError(f"heap_max_mb must be in {HEAP_MIN_MB}..1024, got {heap_max_mb}")
        self._repo_root = repo_root
        self._base_dir = base_dir
        self._keep = keep
        self._heap_max_mb = heap_max_mb
        self._num_partitions = num_partitions
        self._start_timeout_s = start_timeout_s
        self._root_dir: Path | None = None
        self._port: int | None = None
        self._controller_port: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._out: IO[bytes] | None = None
        self.cluster_id: str | None = None
        self.jars_s: float | None = None
        self.ready_s: float | None = None

    # ----------------------------------------------------------------- properties

    @property
    def port(self) -> int:
        if self._port is None:
            raise KafkaError("Kafka is not started")
        return self._port

    @property
    def controller_port(self) -> int:
        if self._controller_port is None:
            raise KafkaError("Kafka is not started")
        return self._controller_port

    @property
    def bootstrap(self) -> str:
        return f"{LOOPBACK_HOST}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def root_dir(self) -> Path:
        if self._root_dir is None:
            raise KafkaError("Kafka is not started")
        return self._root_dir

    @property
    def log_path(self) -> Path:
        """log4j's INFO log of the broker."""
        return self.root_dir / "logs" / "server.log"

    @property
    def stdout_path(self) -> Path:
        """JVM stdout/stderr: WARN and above plus anything printed before log4j is up."""
        return self.root_dir / "kafka.out"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> KafkaBroker:
        if self._root_dir is not None:
            raise KafkaError("Kafka already started")
        started_at = time.monotonic()
        repo_root = self._repo_root or find_repo_root()
        libs = ensure_jars(repo_root)
        self.jars_s = time.monotonic() - started_at
        # The start timeout excludes the one-off jar download, which has its own limit.
        deadline = time.monotonic() + self._start_timeout_s
        for attempt in range(1, MAX_START_ATTEMPTS + 1):
            try:
                self._start_once(repo_root, libs, deadline)
                break
            except KafkaError:
                # Another process may grab a probed port before Kafka binds it: retry.
                retry = self._port_clash() and attempt < MAX_START_ATTEMPTS
                self.stop()
                if not retry:
                    raise
            except BaseException:
                self.stop()
                raise
        self.ready_s = time.monotonic() - started_at
        return self

    def _start_once(self, repo_root: Path, libs: Path, deadline: float) -> None:
        self._root_dir = Path(tempfile.mkdtemp(prefix="g60-kafka-", dir=self._base_dir))
        self._port, self._controller_port = find_free_ports(2)
        props = self._write_properties()
        classpath = f"{libs}/*"
        log4j = repo_root / LOG4J_CONFIG_RELPATH
        self._format_storage(classpath, props, log4j)
        self._launch(classpath, props, log4j)
        atexit.register(self.stop)
        self._wait_ready(deadline)

    def stop(self) -> None:
        """SIGTERM (controlled shutdown), SIGKILL after STOP_TIMEOUT_S, then remove the dir."""
        atexit.unregister(self.stop)
        if self._proc is not None:
            self._terminate(self._proc)
            self._proc = None
        if self._out is not None:
            self._out.close()
            self._out = None
        if self._root_dir is not None and not self._keep:
            shutil.rmtree(self._root_dir, ignore_errors=True)
            self._root_dir = None

    def __enter__(self) -> KafkaBroker:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ----------------------------------------------------------------- internals

    def _write_properties(self) -> Path:
        data_dir = self.root_dir / "data"
        props = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@{LOOPBACK_HOST}:{self.controller_port}",
            "listeners": (
                f"PLAINTEXT://{LOOPBACK_HOST}:{self.port},"
                f"CONTROLLER://{LOOPBACK_HOST}:{self.controller_port}"
            ),
            "advertised.listeners": f"PLAINTEXT://{LOOPBACK_HOST}:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": str(data_dir),
            "num.partitions": str(self._num_partitions),
            "default.replication.factor": "1",
            "auto.create.topics.enable": "true",
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            # Fewer internal partitions: the first group/transaction on a fresh broker
            # creates these topics, and 50 partitions each cost seconds on 2 cores.
            "offsets.topic.num.partitions": "6",
            "transaction.state.log.num.partitions": "6",
            # A lone test consumer should not wait 3 s for peers that never come.
            "group.initial.rebalance.delay.ms": "0",
            # Thread pools sized for 2 cores and a few clients (defaults 3/8/10), and a 5 s
            # no-op interval for the lone controller (default 500 ms, each one an fsync'd
            # metadata append). Measured alone (C2 on): 85 -> 70 us/event at minutes 3-4;
            # with the C1 flag, idle broker CPU 17 -> 11 ms/s.
            "num.network.threads": "1",
            "num.io.threads": "2",
            "background.threads": "2",
            "metadata.max.idle.interval.ms": "5000",
        }
        path = self.root_dir / "server.properties"
        path.write_text("".join(f"{key}={value}\n" for key, value in props.items()))
        return path

    def _java_cmd(self, classpath: str, log4j: Path, flags: tuple[str, ...]) -> list[str]:
        return [
            find_java(),
            *flags,
            f"-Dlog4j2.configurationFile={log4j}",
            f"-Dkafka.logs.dir={self.root_dir / 'logs'}",
            "-cp", classpath,
        ]  # fmt: skip

    def _format_storage(self, classpath: str, props: Path, log4j: Path) -> None:
        self.cluster_id = random_cluster_id()
        cmd = [
            *self._java_cmd(classpath, log4j, TOOL_JVM_FLAGS),
            "kafka.tools.StorageTool", "format",
            "-t", self.cluster_id,
            "-c", str(props),
        ]  # fmt: skip
        try:
            result = subprocess.run(
                cmd, capture_output=True, text=True, timeout=FORMAT_TIMEOUT_S, check=False,
                stdin=subprocess.DEVNULL, cwd=self.root_dir,
            )  # fmt: skip
        except subprocess.TimeoutExpired as exc:
            raise KafkaError(f"kafka storage format timed out after {FORMAT_TIMEOUT_S} s") from exc
        if result.returncode != 0:
            raise KafkaError(
                f"kafka storage format failed ({result.returncode}):\n"
                f"{result.stdout[-LOG_TAIL_CHARS:]}{result.stderr[-LOG_TAIL_CHARS:]}"
            )

    def _launch(self, classpath: str, props: Path, log4j: Path) -> None:
        heap = (f"-Xms{HEAP_MIN_MB}m", f"-Xmx{self._heap_max_mb}m")
        cmd = [
            *self._java_cmd(classpath, log4j, (*heap, *BROKER_JVM_FLAGS)),
            "kafka.Kafka",
            str(props),
        ]
        self._out = self.stdout_path.open("ab")
        # Own session: terminal Ctrl-C reaches our supervisor, which stops Kafka cleanly,
        # and a group kill on timeout cannot hit the caller.
        self._proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            cwd=self.root_dir,
            start_new_session=True,
        )

    def _wait_ready(self, deadline: float) -> None:
        assert self._proc is not None
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise KafkaError(
                    f"kafka exited with {self._proc.returncode} during startup\n"
                    f"{self._failure_context()}"
                )
            if is_port_open(self.port) and _probe_metadata(self.bootstrap):
                return
            time.sleep(PROBE_INTERVAL_S)
        raise KafkaError(
            f"kafka not serving metadata on {self.bootstrap} within "
            f"{self._start_timeout_s:.0f} s\n{self._failure_context()}"
        )

    def _failure_context(self) -> str:
        errors = [
            line
            for line in _tail(self.log_path, LOG_SCAN_CHARS).splitlines()
            if " ERROR " in line or " FATAL " in line
        ][:MAX_ERROR_LINES]
        return (
            f"--- errors in {self.log_path} ---\n" + "\n".join(errors) + "\n"
            f"--- tail of {self.stdout_path} ---\n{_tail(self.stdout_path)}"
        )

    def _port_clash(self) -> bool:
        if self._root_dir is None:
            return False
        logs = _tail(self.stdout_path, LOG_SCAN_CHARS) + _tail(self.log_path, LOG_SCAN_CHARS)
        return "Address already in use" in logs

    @staticmethod
    def _terminate(proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
            return
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        proc.wait(timeout=KILL_WAIT_S)
