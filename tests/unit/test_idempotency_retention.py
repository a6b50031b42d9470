"""The gRPC services' request-id retention: its settings, refused when unusable at
startup; the claim when a record is purged under it; and the purge task living through
a database outage. Fakes only, no database (that is tests/integration/test_idempotency_purge.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from g60_credit.config import CreditSettings
from g60_gateway.config import GatewaySettings
from g60_members.config import MembersSettings
from g60common import idempotency
from g60common.config import (
    DEFAULT_IDEMPOTENCY_RETENTION_S,
    ConfigError,
    IdempotencySettings,
)
from g60common.idempotency_purge import run_idempotency_purge
from prometheus_client import REGISTRY

DAY_S = 24 * 3600.0
SERVICES: list[tuple[str, Callable[[Mapping[str, str]], IdempotencySettings]]] = [
    ("G60_CREDIT", lambda env: CreditSettings.from_env(env).idempotency),
    ("G60_MEMBERS", lambda env: MembersSettings.from_env(env).idempotency),
]


@pytest.mark.parametrize(("prefix", "settings_of"), SERVICES, ids=["credit", "members"])
def test_records_are_kept_a_month_and_purged_hourly_by_default(
    prefix: str, settings_of: Callable[[Mapping[str, str]], IdempotencySettings]
) -> None:
    settings = settings_of({})
    assert settings.retention_s == 30 * DAY_S
    assert settings.purge_interval_s == 3600.0
    assert settings.purge_batch_size > 0


@pytest.mark.parametrize(("prefix", "settings_of"), SERVICES, ids=["credit", "members"])
def test_retention_and_interval_come_from_the_services_variables(
    prefix: str, settings_of: Callable[[Mapping[str, str]], IdempotencySettings]
) -> None:
    env = {
        f"{prefix}_IDEMPOTENCY_RETENTION_S": "1209600",
        f"{prefix}_IDEMPOTENCY_PURGE_INTERVAL_S": "60.5",
    }
    settings = settings_of(env)
    assert (settings.retention_s, settings.purge_interval_s) == (14 * DAY_S, 60.5)


@pytest.mark.parametrize(("prefix", "settings_of"), SERVICES, ids=["credit", "members"])
@pytest.mark.parametrize("suffix", ["IDEMPOTENCY_RETENTION_S", "IDEMPOTENCY_PURGE_INTERVAL_S"])
@pytest.mark.parametrize("raw", ["0", "-3600", "nan", "inf", "a month"])
def test_an_unusable_duration_is_refused_at_startup_naming_the_variable(
    prefix: str,
    settings_of: Callable[[Mapping[str, str]], IdempotencySettings],
    suffix: str,
    raw: str,
) -> None:
    name = f"{prefix}_{suffix}"
    with pytest.raises(ConfigError, match=name):
        settings_of({name: raw})


def test_the_default_retention_outlasts_the_gateways() -> None:
    # A gateway retry within its Idempotency-Key retention re-sends the same request
    # id downstream, and must find the stored answer there.
    assert DEFAULT_IDEMPOTENCY_RETENTION_S > GatewaySettings.from_env({}).idempotency_retention_s


class RecordPurgedMidClaim:
    """A connection on which the record exists at the claim's INSERT but is purged
    before its SELECT, then the id is free."""

    def __init__(self) -> None:
        self.inserts = 0

    async def fetchval(self, query: str, *args: Any) -> bool | None:
        self.inserts += 1
        return None if self.inserts == 1 else True

    async def fetchrow(self, query: str, *args: Any) -> None:
        return None


async def test_a_record_purged_between_the_claims_statements_leaves_a_new_request() -> None:
    conn = RecordPurgedMidClaim()
    assert await idempotency.claim(conn, "bank:B1", "r-1", b"print") is None  # type: ignore[arg-type]
    assert conn.inserts == 2


class FlakyPool:
    """The database refuses the first round, then deletes `rows` rows."""

    def __init__(self, rows: int, stop: asyncio.Event) -> None:
        self.rows, self.stop, self.calls = rows, stop, 0

    async def execute(self, query: str, *args: Any) -> str:
        self.calls += 1
        if self.calls == 1:
            raise ConnectionRefusedError(111, "Connection refused")
        self.stop.set()
        return f"DELETE {self.rows}"


async def test_the_purge_outlives_a_failed_round_and_counts_what_it_deletes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stop = asyncio.Event()
    pool = FlakyPool(rows=3, stop=stop)
    settings = IdempotencySettings(retention_s=DAY_S, purge_interval_s=0.01, purge_batch_size=10)
    async with asyncio.timeout(5):
        await run_idempotency_purge(pool, stop, "unit-test", settings)  # type: ignore[arg-type]
    assert pool.calls == 2
    assert _purged("unit-test") == 3
    assert "idempotency purge failed" in caplog.text


def _purged(service: str) -> float | None:
    return REGISTRY.get_sample_value("g60_idempotency_records_purged_total", {"service": service})
