"""Event envelopes carry type, key and version; the domain stays free of I/O."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import g60_members.domain
import pytest
from g60.events.v1 import member_events_pb2
from g60_members.adapters.proto_codec import event_to_envelope
from g60_members.domain.events import MembersEvent, MemberSuspended, MemberUpdated
from g60_members.domain.model import Member, MemberStatus
from g60common.corridor import InstitutionType
from g60common.events import unpack_payload

WHEN = datetime(2026, 5, 1, tzinfo=UTC)


def a_member(version: int) -> Member:
    return Member(
        "6a4c2a8e-8c0e-4b36-9d0c-2f6a3c1b0e11", "宣城农商行", "", InstitutionType.BANK,
        "341800", "91350100M000100Y43", "", MemberStatus.SUSPENDED, WHEN, version,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("event", "type_name"),
    [
        (MemberSuspended(a_member(3), "逾期"), "MemberSuspended"),
        (MemberUpdated(a_member(3)), "MemberUpdated"),
    ],
)
def test_envelope_names_type_aggregate_and_version(event: MembersEvent, type_name: str) -> None:
    envelope = event_to_envelope(event, WHEN, "corr-1")
    assert (envelope.event_type, envelope.aggregate_type) == (type_name, "Member")
    assert envelope.aggregate_id == a_member(3).member_id
    assert (envelope.aggregate_version, envelope.correlation_id) == (3, "corr-1")


def test_status_event_carries_full_state_and_reason() -> None:
    envelope = event_to_envelope(MemberSuspended(a_member(2), "逾期"), WHEN, "")
    payload = unpack_payload(envelope, member_events_pb2.MemberSuspended)
    assert (payload.member.status, payload.member.version, payload.reason) == (
        "SUSPENDED",
        2,
        "逾期",
    )
    assert payload.member.name == "宣城农商行"


FORBIDDEN = ("asyncpg", "grpc", "aiokafka", "google.protobuf", "g60.")


def test_domain_imports_no_io_libraries() -> None:
    for path in Path(g60_members.domain.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            bad = [n for n in names if n.startswith(FORBIDDEN)]
            assert not bad, f"{path.name} imports {bad}"
