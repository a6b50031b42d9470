"""Event envelopes carry type, key and version; the domain stays free of I/O."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import g60_members.domain
import pytest
from g60.events.v1 import member_events_pb2
from g60_members.adapters.proto_codec import enterprise_to_proto, event_to_envelope
from g60_members.domain.events import (
    EnterpriseVerified,
    MembersEvent,
    MemberSuspended,
    MemberUpdated,
)
from g60_members.domain.model import Enterprise, EnterpriseStatus, Member, MemberStatus
from g60common.corridor import Industry, InstitutionType, SizeClass
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


def test_enterprise_status_event_carries_state_and_reason_but_not_the_contact() -> None:
    firm = Enterprise(
        "0b7c1c1e-3f7a-4d0e-9a51-1d2b3c4d5e6f", "芜湖机器人有限公司", "91350100M000100Y43",
        "340200", "", Industry.HIGH_END_EQUIPMENT, "", SizeClass.SMALL,
        status=EnterpriseStatus.ACTIVE, version=2, contact="王女士 0553-1234567",
    )  # fmt: skip
    envelope = event_to_envelope(EnterpriseVerified(firm, "核验通过"), WHEN, "corr-2")
    assert (envelope.event_type, envelope.aggregate_type) == ("EnterpriseVerified", "Enterprise")
    assert envelope.aggregate_version == 2
    payload = unpack_payload(envelope, member_events_pb2.EnterpriseVerified)
    assert (payload.enterprise.status, payload.reason) == ("ACTIVE", "核验通过")
    assert payload.enterprise.contact == ""  # personal data stays in the registry
    assert enterprise_to_proto(firm).contact == "王女士 0553-1234567"
