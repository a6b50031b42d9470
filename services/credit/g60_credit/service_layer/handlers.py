"""Credit command handlers.

Idempotency: each mutating command carries a request_id scoped to the caller; the
same id and content returns the stored original response, the same id with other
content raises IdempotencyConflict, and nothing is written either way.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass

from g60_credit.domain.errors import (
    BankNotActive,
    CreditLineNotFound,
    GuarantorNotEligible,
    NotABank,
    UnknownEnterprise,
)
from g60_credit.domain.events import CreditLineRegistered, Parties
from g60_credit.domain.model import CreditLine
from g60_credit.domain.parties import EnterpriseView, MemberView
from g60_credit.domain.snapshots import line_from_snapshot, line_snapshot
from g60_credit.domain.validation import validate_terms
from g60_credit.service_layer.unit_of_work import CreditUnitOfWork, PartyDirectory


@dataclass(frozen=True)
class RegisterCreditLine:
    bank_id: str
    request_id: str
    enterprise_id: str
    product: str
    currency: str
    limit_fen: int
    revolving: bool
    valid_from: str
    valid_to: str
    guarantor_id: str
    cover_ratio_bp: int


def fingerprint(command: object) -> bytes:
    body = json.dumps(asdict(command), sort_keys=True)  # type: ignore[call-overload]
    return hashlib.sha256(type(command).__name__.encode() + body.encode()).digest()


async def register_credit_line(
    cmd: RegisterCreditLine, uow: CreditUnitOfWork, directory: PartyDirectory
) -> CreditLine:
    terms = validate_terms(
        cmd.product,
        cmd.currency,
        cmd.limit_fen,
        cmd.revolving,
        cmd.valid_from,
        cmd.valid_to,
        cmd.guarantor_id,
        cmd.cover_ratio_bp,
    )
    members = [cmd.bank_id, *([cmd.guarantor_id] if cmd.guarantor_id else [])]
    await directory.ensure_known(members, [cmd.enterprise_id])
    caller = f"bank:{cmd.bank_id}"
    async with uow:
        stored = await uow.claim_request(caller, cmd.request_id, fingerprint(cmd))
        if stored is not None:
            return line_from_snapshot(json.loads(stored))
        parties = await _granting_parties(uow, cmd)
        line = CreditLine(
            credit_line_id=str(uuid.uuid4()),
            bank_id=cmd.bank_id,
            enterprise_id=cmd.enterprise_id,
            **asdict(terms),
        )
        await uow.lines.add(line)
        await uow.publish(CreditLineRegistered(line, parties))
        await uow.record_response(caller, cmd.request_id, json.dumps(line_snapshot(line)).encode())
        await uow.commit()
    return line


async def _granting_parties(uow: CreditUnitOfWork, cmd: RegisterCreditLine) -> Parties:
    bank = await uow.parties.member(cmd.bank_id)
    check_can_grant(bank)
    assert bank is not None
    enterprise = await uow.parties.enterprise(cmd.enterprise_id)
    check_known_enterprise(enterprise, cmd.enterprise_id)
    assert enterprise is not None
    if cmd.guarantor_id:
        check_can_guarantee(await uow.parties.member(cmd.guarantor_id), cmd.guarantor_id)
    return Parties(bank=bank, enterprise=enterprise)


def check_can_grant(bank: MemberView | None) -> None:
    if bank is None or bank.institution_type != "BANK":
        raise NotABank("the caller is not a registered member bank")
    if not bank.is_active_bank:
        raise BankNotActive(f"bank {bank.member_id} is {bank.status}, not ACTIVE")


def check_known_enterprise(enterprise: EnterpriseView | None, enterprise_id: str) -> None:
    if enterprise is None or enterprise.status != "ACTIVE":
        raise UnknownEnterprise(f"enterprise {enterprise_id} is not a registered active enterprise")


def check_can_guarantee(guarantor: MemberView | None, guarantor_id: str) -> None:
    if guarantor is None or not guarantor.is_active_guarantor:
        raise GuarantorNotEligible(f"{guarantor_id} is not an ACTIVE guarantee company")


async def get_credit_line(bank_id: str, credit_line_id: str, uow: CreditUnitOfWork) -> CreditLine:
    """A line of another bank is reported exactly like a missing one."""
    async with uow:
        line = await uow.lines.get(credit_line_id)
    if line is None or line.bank_id != bank_id:
        raise CreditLineNotFound(credit_line_id)
    return line
