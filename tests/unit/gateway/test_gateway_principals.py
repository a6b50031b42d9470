"""Keys are issued only for principals that exist: member and enterprise ids are UUIDs,
stored canonical, that the members service knows with the right type. No network: a
fake members stub."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, ClassVar

import grpc
import pytest
from g60.members.v1 import members_pb2
from g60_gateway.adapters.principal_directory import check_principal
from g60_gateway.domain.principals import (
    PrincipalClosed,
    PrincipalType,
    UnknownPrincipal,
    canonical_principal_id,
)
from g60_gateway.entrypoints.bodies import IssueCredentialBody
from pydantic import ValidationError

BANK_ID = str(uuid.uuid4())
INSURER_ID = str(uuid.uuid4())
GUARANTOR_ID = str(uuid.uuid4())
WITHDRAWN_GUARANTOR_ID = str(uuid.uuid4())
FIRM_ID = str(uuid.uuid4())
REJECTED_FIRM_ID = str(uuid.uuid4())


def _not_found() -> grpc.aio.AioRpcError:
    empty = grpc.aio.Metadata()
    return grpc.aio.AioRpcError(grpc.StatusCode.NOT_FOUND, empty, empty, details="no such id")


class FakeMembers:
    """The two lookups `check_principal` makes, over a fixed registry."""

    members: ClassVar[dict[str, members_pb2.Member]] = {
        BANK_ID: members_pb2.Member(member_id=BANK_ID, institution_type="BANK", status="ACTIVE"),
        INSURER_ID: members_pb2.Member(
            member_id=INSURER_ID, institution_type="INSURANCE", status="ACTIVE"
        ),
        GUARANTOR_ID: members_pb2.Member(
            member_id=GUARANTOR_ID, institution_type="GUARANTEE", status="ACTIVE"
        ),
        WITHDRAWN_GUARANTOR_ID: members_pb2.Member(
            member_id=WITHDRAWN_GUARANTOR_ID, institution_type="GUARANTEE", status="WITHDRAWN"
        ),
    }
    enterprises: ClassVar[dict[str, members_pb2.Enterprise]] = {
        FIRM_ID: members_pb2.Enterprise(enterprise_id=FIRM_ID, status="PENDING_VERIFICATION"),
        REJECTED_FIRM_ID: members_pb2.Enterprise(enterprise_id=REJECTED_FIRM_ID, status="REJECTED"),
    }

    async def GetMember(self, request: members_pb2.GetMemberRequest, **_: Any) -> Any:
        if request.member_id not in self.members:
            raise _not_found()
        return self.members[request.member_id]

    async def GetEnterprise(self, request: members_pb2.GetEnterpriseRequest, **_: Any) -> Any:
        if request.enterprise_id not in self.enterprises:
            raise _not_found()
        return self.enterprises[request.enterprise_id]


def _check(principal_type: PrincipalType, principal_id: str) -> None:
    asyncio.run(check_principal(FakeMembers(), principal_type, principal_id, (), 1.0))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "spelling", [BANK_ID, BANK_ID.upper(), "{" + BANK_ID + "}", BANK_ID.replace("-", "")]
)
def test_bank_and_enterprise_ids_are_stored_canonical(spelling: str) -> None:
    assert canonical_principal_id(PrincipalType.BANK, spelling) == BANK_ID


@pytest.mark.parametrize(
    "principal_type", [PrincipalType.BANK, PrincipalType.ENTERPRISE, PrincipalType.GUARANTOR]
)
def test_an_id_that_is_no_uuid_names_no_principal(principal_type: PrincipalType) -> None:
    with pytest.raises(UnknownPrincipal):
        canonical_principal_id(principal_type, "garbage")


def test_an_operators_id_is_a_label_kept_as_given() -> None:
    assert canonical_principal_id(PrincipalType.OPERATOR, "Alliance-Office") == "Alliance-Office"


@pytest.mark.parametrize("label", ["", "   "])
def test_an_operator_key_needs_a_label(label: str) -> None:
    with pytest.raises(UnknownPrincipal):
        canonical_principal_id(PrincipalType.OPERATOR, label)
    with pytest.raises(ValidationError) as caught:
        IssueCredentialBody.model_validate({"principal_type": "operator", "principal_id": label})
    assert caught.value.errors()[0]["loc"] == ("principal_id",)


def test_the_body_names_principal_id_and_carries_it_canonical() -> None:
    body = {"principal_type": "bank", "principal_id": BANK_ID.upper()}
    assert IssueCredentialBody.model_validate(body).principal_id == BANK_ID
    with pytest.raises(ValidationError) as caught:
        IssueCredentialBody.model_validate({**body, "principal_id": "garbage"})
    assert caught.value.errors()[0]["loc"] == ("principal_id",)


def test_known_banks_guarantors_and_enterprises_may_hold_keys() -> None:
    _check(PrincipalType.BANK, BANK_ID)
    _check(PrincipalType.GUARANTOR, GUARANTOR_ID)
    _check(PrincipalType.ENTERPRISE, FIRM_ID)  # pending: it reads, and is refused credit
    _check(PrincipalType.OPERATOR, "alliance-office")  # nothing to look up


@pytest.mark.parametrize(
    ("principal_type", "principal_id"),
    [
        (PrincipalType.BANK, str(uuid.uuid4())),  # nobody
        (PrincipalType.BANK, FIRM_ID),  # an enterprise as a bank
        (PrincipalType.ENTERPRISE, BANK_ID),  # a bank as an enterprise
        (PrincipalType.BANK, INSURER_ID),  # a member, but no bank
        (PrincipalType.BANK, GUARANTOR_ID),  # a guarantee company as a bank
        (PrincipalType.GUARANTOR, BANK_ID),  # a bank as a guarantee company
        (PrincipalType.GUARANTOR, INSURER_ID),  # a member, but no guarantee company
        (PrincipalType.GUARANTOR, FIRM_ID),  # an enterprise as a guarantee company
        (PrincipalType.GUARANTOR, str(uuid.uuid4())),  # nobody
    ],
)
def test_an_unknown_or_mistyped_principal_is_refused(
    principal_type: PrincipalType, principal_id: str
) -> None:
    with pytest.raises(UnknownPrincipal):
        _check(principal_type, principal_id)


def test_a_rejected_enterprise_gets_no_new_key() -> None:
    with pytest.raises(PrincipalClosed):
        _check(PrincipalType.ENTERPRISE, REJECTED_FIRM_ID)


def test_a_withdrawn_guarantor_gets_no_new_key() -> None:
    with pytest.raises(PrincipalClosed):
        _check(PrincipalType.GUARANTOR, WITHDRAWN_GUARANTOR_ID)


def test_the_refusal_of_a_guarantor_key_names_the_wrong_type() -> None:
    with pytest.raises(UnknownPrincipal, match="BANK member institution, not a guarantee"):
        _check(PrincipalType.GUARANTOR, BANK_ID)


def test_a_guarantor_key_body_is_accepted_and_canonical() -> None:
    body = {"principal_type": "guarantor", "principal_id": "{" + GUARANTOR_ID.upper() + "}"}
    assert IssueCredentialBody.model_validate(body).principal_id == GUARANTOR_ID
