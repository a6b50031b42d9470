"""Unit tests of the common package's pure parts: config parsing and event envelopes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from g60.events.v1 import credit_events_pb2
from g60common.config import ConfigError, KafkaSettings, PostgresSettings, env_int
from g60common.correlation import current_correlation_id, set_correlation_id
from g60common.db import dsn_for_database
from g60common.events import decode_envelope, new_envelope, timestamp, unpack_payload
from g60common.ids import canonical_uuid, time_ordered_uuid
from g60common.kafka import producer_settings
from g60common.launcher import GRPC_EXPERIMENTS, platform_env
from google.protobuf import timestamp_pb2
from hypothesis import given
from hypothesis import strategies as st


def test_settings_defaults_work_for_the_local_stack() -> None:
    pg = PostgresSettings.from_env({}, "G60_CREDIT", "g60_credit")
    assert pg.dsn.endswith("/g60_credit") and pg.pool_max_size >= pg.pool_min_size


def test_bad_integer_setting_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="G60_X"):
        env_int({"G60_X": "ten"}, "G60_X", 1)


def test_producers_state_their_guarantees() -> None:
    settings = producer_settings(KafkaSettings("127.0.0.1:9092", 30_000), transactional_id="t")
    assert settings["acks"] == "all"
    assert settings["enable_idempotence"] is True
    assert settings["transactional_id"] == "t"


def test_services_start_with_the_older_grpc_listener(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRPC_EXPERIMENTS", raising=False)
    env = platform_env("postgresql://g60@127.0.0.1:5432/g60", "127.0.0.1:9092")
    assert env["GRPC_EXPERIMENTS"] == GRPC_EXPERIMENTS == "-event_engine_listener"


def test_an_operators_grpc_experiments_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRPC_EXPERIMENTS", "")
    env = platform_env("postgresql://g60@127.0.0.1:5432/g60", "127.0.0.1:9092")
    assert env["GRPC_EXPERIMENTS"] == ""


@pytest.mark.parametrize(
    ("admin_dsn", "service_dsn"),
    [
        ("postgresql://g60@127.0.0.1:5432/g60", "postgresql://g60@127.0.0.1:5432/g60_credit"),
        (
            "postgresql://u:p%40ss@db.internal:5432/postgres?sslmode=require",
            "postgresql://u:p%40ss@db.internal:5432/g60_credit?sslmode=require",
        ),
        (
            "postgresql://g60@/g60?host=/tmp/g60-pg-x&port=5433",
            "postgresql://g60@/g60_credit?host=/tmp/g60-pg-x&port=5433",
        ),
        ("postgres://db:5432", "postgres://db:5432/g60_credit"),
    ],
)
def test_a_service_database_keeps_the_servers_options(admin_dsn: str, service_dsn: str) -> None:
    assert dsn_for_database(admin_dsn, "g60_credit") == service_dsn
    assert platform_env(admin_dsn, "127.0.0.1:9092")["G60_CREDIT_PG_DSN"] == service_dsn


def test_a_dsn_that_is_no_url_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValueError, match="postgresql://") as refused:
        dsn_for_database("host=db password=secret dbname=g60", "g60_credit")
    assert "secret" not in str(refused.value)


def test_envelope_round_trip_keeps_payload_and_versions() -> None:
    payload = credit_events_pb2.CreditLineRegistered(credit_line_id="L1", limit_fen=10**15)
    envelope = new_envelope(
        payload,
        aggregate_type="CreditLine",
        aggregate_id="L1",
        aggregate_version=1,
        occurred_at=datetime(2026, 11, 27, tzinfo=UTC),
        correlation_id="c-1",
    )
    decoded = decode_envelope(envelope.SerializeToString())
    assert decoded.event_type == "CreditLineRegistered"
    assert decoded.aggregate_version == 1 and decoded.correlation_id == "c-1"
    assert unpack_payload(decoded, credit_events_pb2.CreditLineRegistered).limit_fen == 10**15


def test_envelope_versions_start_at_one() -> None:
    with pytest.raises(ValueError, match="start at 1"):
        new_envelope(
            credit_events_pb2.CreditLineRegistered(),
            aggregate_type="CreditLine",
            aggregate_id="L1",
            aggregate_version=0,
            occurred_at=datetime.now(UTC),
            correlation_id="",
        )


def test_a_request_without_a_correlation_id_gets_a_fresh_uuid4() -> None:
    ids = {set_correlation_id(None) for _ in range(1000)}
    assert len(ids) == 1000
    assert all(uuid.UUID(i).version == 4 and str(uuid.UUID(i)) == i for i in ids)
    assert set_correlation_id("from-gateway") == current_correlation_id() == "from-gateway"


@given(st.uuids())
def test_every_uuid_spelling_has_one_canonical_form(value: uuid.UUID) -> None:
    canonical = str(value)
    for spelling in (canonical, canonical.upper(), value.hex, f"{{{canonical}}}", value.urn):
        assert canonical_uuid(spelling) == canonical


@pytest.mark.parametrize(
    "value",
    [
        "",
        "x",
        "not-a-uuid",
        "123e4567-e89b-12d3-a456-42661417400",
        "123e4567-e89b-12d3-a456-4266141740000",
        "123e4567-e89b-12d3-a456-42661417400g",
        "123e4567-e89b-12d3-a456-426614174000\n",
    ],
)
def test_a_string_that_is_no_uuid_has_no_canonical_form(value: str) -> None:
    assert canonical_uuid(value) is None


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1),
        max_value=datetime(2200, 1, 1),
        timezones=st.sampled_from(
            [None, UTC, timezone(timedelta(hours=8)), timezone(-timedelta(hours=5))]
        ),
    )
)
def test_event_timestamps_match_protobufs_own_conversion(at: datetime) -> None:
    expected = timestamp_pb2.Timestamp()
    expected.FromDatetime(at)  # a naive datetime counts as UTC there too
    assert timestamp(at) == expected


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    )
)
def test_time_ordered_ids_are_uuid7_carrying_their_millisecond(at: datetime) -> None:
    issued = time_ordered_uuid(at)
    value = uuid.UUID(issued)
    assert (value.version, value.variant) == (7, uuid.RFC_4122)
    assert canonical_uuid(issued) == issued
    assert value.int >> 80 == int(at.timestamp() * 1000)


def test_time_ordered_ids_sort_in_the_order_they_were_issued() -> None:
    start = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)
    ids = [time_ordered_uuid(start + timedelta(milliseconds=n)) for n in range(500)]
    assert sorted(ids) == ids and len(set(ids)) == 500
    same_ms = {time_ordered_uuid(start) for _ in range(1000)}
    assert len(same_ms) == 1000  # random below the millisecond
