"""Odd but possible input over gRPC: other spellings of ids, forged page tokens, NUL
characters. Each gets a clear answer naming the field, or is read as the id it spells;
none reaches the database as a raw string or ends as UNKNOWN."""

from __future__ import annotations

import grpc
import pytest
from g60.credit.v1 import credit_pb2
from g60.members.v1 import members_pb2
from g60common.grpc_errors import field_violations_of

from tests.integration.credit.helpers import (
    DEADLINE_S,
    CreditWorld,
    apply_request,
    as_bank,
    as_enterprise,
    as_operator,
    rid,
    today,
)

pytestmark = pytest.mark.integration


def _register(enterprise_id: str, **fields: object) -> credit_pb2.RegisterCreditLineRequest:
    request = credit_pb2.RegisterCreditLineRequest(
        request_id=rid(),
        enterprise_id=enterprise_id,
        product="WORKING_CAPITAL",
        currency="CNY",
        limit_fen=100_000,
        valid_from=today().isoformat(),
        valid_to=today().replace(year=today().year + 1).isoformat(),
    )
    for name, value in fields.items():
        setattr(request, name, value)
    return request


async def _refusal(call: object) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await call  # type: ignore[misc]
    return refused.value


SPELLINGS = {
    "braces": lambda id_: "{" + id_ + "}",
    "urn": lambda id_: "urn:uuid:" + id_,
    "upper case": str.upper,
}


@pytest.mark.parametrize("spelling", SPELLINGS)
async def test_another_spelling_of_an_id_is_the_same_id(world: CreditWorld, spelling: str) -> None:
    bank, ent = await world.member(), await world.enterprise()
    spelled = SPELLINGS[spelling](ent)
    line = await world.credit.RegisterCreditLine(
        _register(spelled), metadata=as_bank(bank.upper()), timeout=DEADLINE_S
    )
    assert (line.enterprise_id, line.bank_id) == (ent, bank)
    listed = await world.credit.ListCreditLines(
        credit_pb2.ListCreditLinesRequest(enterprise_id=spelled),
        metadata=as_bank(bank),
        timeout=DEADLINE_S,
    )
    assert [x.credit_line_id for x in listed.credit_lines] == [line.credit_line_id]
    after = "{00000000-0000-0000-0000-000000000000}"
    paged = await world.credit.ListCreditLines(
        credit_pb2.ListCreditLinesRequest(page_token=after),
        metadata=as_bank(bank),
        timeout=DEADLINE_S,
    )
    assert [x.credit_line_id for x in paged.credit_lines] == [line.credit_line_id]


async def test_a_caller_id_that_is_no_uuid_owns_nothing(world: CreditWorld) -> None:
    refused = await _refusal(
        world.credit.ListCreditLines(
            credit_pb2.ListCreditLinesRequest(), metadata=as_bank("garbage"), timeout=DEADLINE_S
        )
    )
    assert refused.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "UUID" in (refused.details() or "")


@pytest.mark.parametrize("token", ["²", "١٢", "9223372036854775808", "-1", " 1", "1e3"])
async def test_a_forged_audit_page_token_names_the_field(world: CreditWorld, token: str) -> None:
    bank, ent = await world.member(), await world.enterprise()
    line = await world.line(bank, ent)
    refused = await _refusal(
        world.credit.ListCreditLineAudit(
            credit_pb2.ListCreditLineAuditRequest(
                credit_line_id=line.credit_line_id, page_token=token
            ),
            metadata=as_bank(bank),
            timeout=DEADLINE_S,
        )
    )
    assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "page_token" in field_violations_of(refused)


async def test_the_largest_audit_page_token_is_a_token(world: CreditWorld) -> None:
    bank, ent = await world.member(), await world.enterprise()
    line = await world.line(bank, ent)
    page = await world.credit.ListCreditLineAudit(
        credit_pb2.ListCreditLineAuditRequest(
            credit_line_id=line.credit_line_id, page_token=str(2**63 - 1)
        ),
        metadata=as_bank(bank),
        timeout=DEADLINE_S,
    )
    assert list(page.entries) == []


async def test_a_nul_character_is_refused_by_field_and_nothing_is_written(
    world: CreditWorld,
) -> None:
    bank, ent = await world.member(), await world.enterprise()
    refused = await _refusal(
        world.credit.RegisterCreditLine(
            _register(ent, request_id="a\x00b"), metadata=as_bank(bank), timeout=DEADLINE_S
        )
    )
    assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations_of(refused) == {"request_id": "must not contain NUL characters"}
    refused = await _refusal(
        world.credit.ApplyForFinancing(
            apply_request(bank, 1_000, term_months=6, purpose="p\x00"),
            metadata=as_enterprise(ent),
            timeout=DEADLINE_S,
        )
    )
    assert "purpose" in field_violations_of(refused)
    listed = await world.credit.ListCreditLines(
        credit_pb2.ListCreditLinesRequest(enterprise_id=ent),
        metadata=as_bank(bank),
        timeout=DEADLINE_S,
    )
    assert list(listed.credit_lines) == []


async def test_members_refuses_a_nul_character_by_field(world: CreditWorld) -> None:
    refused = await _refusal(
        world.members.RegisterMember(
            members_pb2.RegisterMemberRequest(
                request_id=rid(), name="Bank\x00", institution_type="BANK", home_city="330100"
            ),
            metadata=as_operator(),
            timeout=DEADLINE_S,
        )
    )
    assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations_of(refused) == {"name": "must not contain NUL characters"}
