"""The Kafka broker's jars: fetched from Maven Central through deploy/kafka/pom.xml with
the machine's Maven, cached per pom checksum, so a warm start downloads nothing."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

POM_RELPATH = Path("deploy/kafka/pom.xml")
CACHE_DIR_ENV = "G60_CACHE_DIR"
JARS_STAMP_NAME = "pom.sha256"

MAVEN_TIMEOUT_S = 900.0
MAVEN_OUTPUT_TAIL_CHARS = 3000


class KafkaError(RuntimeError):
    """The local Kafka broker could not be fetched, formatted or started."""


def find_repo_root(start: Path | None = None) -> Path:
    """Nearest ancestor of `start` (default: this file, then cwd) holding the Kafka pom."""
    starts = [start] if start is not None else [Path(__file__), Path.cwd()]
    for origin in starts:
        for candidate in [origin.resolve(), *origin.resolve().parents]:
            if (candidate / POM_RELPATH).is_file():
                return candidate
    raise KafkaError(f"cannot find {POM_RELPATH} above {', '.join(map(str, starts))}")


def kafka_version(pom: Path) -> str:
    """The `<kafka.version>` property of the pinned pom."""
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    node = ET.parse(pom).getroot().find("m:properties/m:kafka.version", ns)
    if node is None or not (node.text or "").strip():
        raise KafkaError(f"{pom} has no <kafka.version> property")
    return (node.text or "").strip()


def cache_root() -> Path:
    override = os.environ.get(CACHE_DIR_ENV)
    return Path(override) if override else Path.home() / ".cache" / "g60"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _jars_current(libs: Path, stamp: Path, pom_sha: str) -> bool:
    try:
        stamped = stamp.read_text().strip()
    except OSError:
        return False
    return stamped == pom_sha and any(libs.glob("kafka_2.13-*.jar"))


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Exclusive lock so bootstrap.sh, pytest and `stack up` never fetch into one dir at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_jars(repo_root: Path | None = None, *, timeout_s: float = MAVEN_TIMEOUT_S) -> Path:
    """Return the dir of broker jars, fetching them with Maven unless already cached.

    Cache: `$G60_CACHE_DIR` (default ~/.cache/g60) / kafka-<version>/libs, valid while its
    stamp file holds the sha256 of deploy/kafka/pom.xml.
    """
    root = repo_root or find_repo_root()
    pom = root / POM_RELPATH
    pom_sha = _sha256(pom)
    version_dir = cache_root() / f"kafka-{kafka_version(pom)}"
    libs = version_dir / "libs"
    stamp = version_dir / JARS_STAMP_NAME
    if _jars_current(libs, stamp, pom_sha):
        return libs
    with _file_lock(version_dir / ".lock"):
        if _jars_current(libs, stamp, pom_sha):  # another process fetched while we waited
            return libs
        _fetch_jars(pom, version_dir, libs, timeout_s)
        stamp.write_text(pom_sha + "\n")
    return libs


def _fetch_jars(pom: Path, version_dir: Path, libs: Path, timeout_s: float) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise KafkaError("mvn not found; run scripts/bootstrap.sh")
    staging = version_dir / f"libs.tmp-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    cmd = [
        mvn, "-q", "-B",
        "-f", str(pom),
        "dependency:copy-dependencies",
        f"-DoutputDirectory={staging}",
    ]  # fmt: skip
    try:
        result = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout_s, check=False,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise KafkaError(f"mvn timed out after {timeout_s:.0f} s") from exc
    if result.returncode != 0 or not any(staging.glob("kafka_2.13-*.jar")):
        shutil.rmtree(staging, ignore_errors=True)
        raise KafkaError(
            f"mvn copy-dependencies failed ({result.returncode}):\n"
            f"{result.stdout[-MAVEN_OUTPUT_TAIL_CHARS:]}{result.stderr[-MAVEN_OUTPUT_TAIL_CHARS:]}"
        )
    # Swap in whole so a reader never sees a half-filled libs dir.
    shutil.rmtree(libs, ignore_errors=True)
    staging.rename(libs)
