#!/usr/bin/env bash
# Idempotent setup of a fresh Debian machine (run as root) for the G60 platform:
#   PostgreSQL server binaries, a JDK >= 17, Maven, the Python venv at $REPO/.venv, and the
#   pinned Kafka broker jars (cached under ${G60_CACHE_DIR:-~/.cache/g60}).
# Fast (< 3 s) when everything is already in place: apt, pip and mvn run only when needed.
#
# Env: PYTHON (interpreter for the venv, default python3), G60_CACHE_DIR.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO/.venv"
LOCK_FILE="$REPO/requirements.lock"
STAMP_FILE="$VENV/.requirements.lock.sha256"
PYTHON="${PYTHON:-python3}"
MIN_JAVA_MAJOR=17
MIN_PYTHON="3.11"

export DEBIAN_FRONTEND=noninteractive
APT_UPDATED=0

say() { printf '[bootstrap] %s\n' "$*"; }

apt_install() {
    if [[ $APT_UPDATED -eq 0 ]]; then
        say "apt-get update"
        apt-get update -qq
        APT_UPDATED=1
    fi
    say "apt-get install $*"
    # confold: keep a createcluster.conf we wrote ourselves (see ensure_postgres).
    apt-get install -y -qq --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" >/dev/null
}

require_root_for_apt() {
    if [[ $EUID -ne 0 ]]; then
        say "error: missing system packages ($*) and not root; install them or rerun as root"
        exit 1
    fi
}

ensure_postgres() {
    if compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
        local bins=(/usr/lib/postgresql/*/bin/postgres)
        say "postgresql server: present (${bins[*]})"
        return
    fi
    require_root_for_apt postgresql
    # The stack runs its own throwaway clusters; skip Debian's always-on "main" cluster.
    if [[ ! -e /etc/postgresql-common/createcluster.conf ]]; then
        mkdir -p /etc/postgresql-common
        echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf
    fi
    apt_install postgresql
}

java_major() {
    # `java -version` prints e.g. 'openjdk version "17.0.15" 2025-04-15' (or "1.8.0_x").
    local version
    version="$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
    version="${version#1.}"
    echo "${version%%[.+-]*}"
}

ensure_java() {
    if command -v java >/dev/null && [[ "$(java_major)" -ge $MIN_JAVA_MAJOR ]]; then
        say "java: present (major $(java_major))"
        return
    fi
    require_root_for_apt default-jdk-headless
    apt_install default-jdk-headless
}

ensure_maven() {
    if command -v mvn >/dev/null; then
        say "maven: present"
        return
    fi
    require_root_for_apt maven
    apt_install maven
}

ensure_python_venv_support() {
    if ! "$PYTHON" -c "import sys; sys.exit(sys.version_info < (${MIN_PYTHON/./, }))"; then
        say "error: $PYTHON is older than $MIN_PYTHON"
        exit 1
    fi
    if "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
        return
    fi
    require_root_for_apt python3-venv
    apt_install python3-venv
}

ensure_venv() {
    if [[ ! -x "$VENV/bin/python" ]]; then
        ensure_python_venv_support
        say "creating venv $VENV"
        "$PYTHON" -m venv "$VENV"
    fi
    local want have=""
    want="$(sha256sum "$LOCK_FILE" | cut -d' ' -f1)"
    [[ -f "$STAMP_FILE" ]] && have="$(cat "$STAMP_FILE")"
    if [[ "$want" == "$have" ]]; then
        say "venv: up to date with requirements.lock"
        return
    fi
    say "pip install -r requirements.lock"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$LOCK_FILE"
    say "pip install --no-deps -e ."
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e "$REPO"
    echo "$want" >"$STAMP_FILE"
}

ensure_chromium() {
    # Headless Chromium renders the live dashboard in the gateway's end-to-end test.
    if [[ -x /usr/bin/chromium ]]; then
        say "chromium: present"
        return
    fi
    require_root_for_apt chromium
    apt_install chromium
}

ensure_kafka_jars() {
    # Downloads only when the cache stamp differs from deploy/kafka/pom.xml's sha256.
    "$VENV/bin/python" -m g60common.stack fetch-jars | sed 's/^/[bootstrap] /'
}

main() {
    local started=$SECONDS
    ensure_postgres
    ensure_java
    ensure_maven
    ensure_venv
    ensure_chromium
    ensure_kafka_jars
    say "done in $((SECONDS - started)) s"
}

main "$@"
