"""Credit-line registration and reads, plus the party checks the handlers share.

Idempotency: each mutating command carries a request_id scoped to the caller; the
same id and content returns the stored original response, the same id with other
content raises IdempotencyConflict, and nothing is written either way.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from g60common.ids import canonical_uuid

from g60_credit.domain.errors import (
    BankNotActive,
    CreditLineNotFound,
    EnterpriseNotActive,
    GuarantorNotEligible,
    InvalidFields,
    NotABank,
    UnknownEnterprise,
)
from g60_credit.domain.events import CreditLineRegistered, Parties
from g60_credit.domain.model import CreditLine
from g60_credit.domain.parties import EnterpriseView, MemberView
from g60_credit.domain.queries import AuditRecord, LineQuery, Viewer
from g60_credit.domain.snapshots import line_from_snapshot, line_snapshot
from g60_credit.domain.validation import validate_terms
from g60_credit.service_layer.idempotent import audit, run_idempotent
from g60_credit.service_layer.unit_of_work import CreditUnitOfWork, PartyDirectory

LINE = "CreditLine"
LINE_CODEC = (line_snapshot, line_from_snapshot)


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


def check_party_ids(ids: dict[str, str]) -> None:
    """Party ids are UUIDs; anything else is a field error, not a members lookup."""
    bad = {field: "must be a UUID" for field, value in ids.items() if not _is_uuid(value)}
    if bad:
        raise InvalidFields(bad)


def _is_uuid(value: str) -> bool:
    return canonical_uuid(value) is not None


def bank_caller(bank_id: str) -> str:
    return f"bank:{bank_id}"


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
    guarantor = {"guarantor_id": cmd.guarantor_id} if cmd.guarantor_id else {}
    check_party_ids({"enterprise_id": cmd.enterprise_id, **guarantor})
    members = [cmd.bank_id, *([cmd.guarantor_id] if cmd.guarantor_id else [])]
    looked_up = False

    async def change() -> CreditLine:
        parties = await _granting_parties(uow, cmd, missing_is_final=looked_up)
        line = CreditLine(
            credit_line_id=str(uuid.uuid4()),
            bank_id=cmd.bank_id,
            enterprise_id=cmd.enterprise_id,
            # Terms are flat and immutable (enum, str, int, bool, date): vars() is
            # asdict() without its recursive deep copy (about 7 % of the handler's time).
            **vars(terms),
        )
        await uow.lines.add(line)
        await audit(
            uow,
            (LINE, line.credit_line_id),
            "REGISTER",
            (bank_caller(cmd.bank_id), cmd.request_id),
            None,
            line_snapshot(line),
        )
        await uow.publish(CreditLineRegistered(line, parties))
        return line

    try:
        return await run_idempotent(uow, bank_caller(cmd.bank_id), cmd, change, LINE_CODEC)
    except PartyNotInReadModel:
        # Rolled back; ask the members service once, then decide for real.
        await directory.ensure_known(members, [cmd.enterprise_id])
        looked_up = True
        return await run_idempotent(uow, bank_caller(cmd.bank_id), cmd, change, LINE_CODEC)


class PartyNotInReadModel(Exception):
    """A party the read model has not seen yet: worth one read-through lookup.

    Checking the read model inside the transaction first saves a pool connection
    and two queries on the common path, where every party is already known."""


async def _granting_parties(
    uow: CreditUnitOfWork, cmd: RegisterCreditLine, *, missing_is_final: bool
) -> Parties:
    bank, enterprise = await uow.parties.pair(cmd.bank_id, cmd.enterprise_id)
    guarantor = await uow.parties.member(cmd.guarantor_id) if cmd.guarantor_id else None
    unseen = bank is None or enterprise is None or (cmd.guarantor_id and guarantor is None)
    if unseen and not missing_is_final:
        raise PartyNotInReadModel
    check_can_grant(bank)
    assert bank is not None
    check_known_enterprise(enterprise, cmd.enterprise_id)
    assert enterprise is not None
    if cmd.guarantor_id:
        check_can_guarantee(guarantor, cmd.guarantor_id)
    return Parties(bank=bank, enterprise=enterprise)


async def line_parties(uow: CreditUnitOfWork, bank_id: str, enterprise_id: str) -> Parties:
    """Both were known when the line or application was created; the read model
    never forgets a party, so a miss is a bug, not a user error."""
    bank, enterprise = await uow.parties.pair(bank_id, enterprise_id)
    assert enterprise is not None, f"enterprise {enterprise_id} vanished from the read model"
    return Parties(bank=bank, enterprise=enterprise)


def check_can_grant(bank: MemberView | None) -> None:
    if bank is None or bank.institution_type != "BANK":
        raise NotABank("the caller is not a registered member bank")
    if not bank.is_active_bank:
        raise BankNotActive(f"bank {bank.member_id} is {bank.status}, not ACTIVE")


def check_known_enterprise(enterprise: EnterpriseView | None, enterprise_id: str) -> None:
    if enterprise is None:
        raise UnknownEnterprise(f"enterprise {enterprise_id} is not a registered enterprise")
    if enterprise.status != "ACTIVE":
        raise EnterpriseNotActive(
            f"enterprise {enterprise_id} is {enterprise.status}, not ACTIVE: no credit until "
            "the alliance office has verified it"
            if enterprise.status == "PENDING_VERIFICATION"
            else f"enterprise {enterprise_id} is {enterprise.status}, not ACTIVE"
        )


def check_can_guarantee(guarantor: MemberView | None, guarantor_id: str) -> None:
    if guarantor is None or not guarantor.is_active_guarantor:
        raise GuarantorNotEligible(f"{guarantor_id} is not an ACTIVE guarantee company")


async def get_credit_line(viewer: Viewer, credit_line_id: str, uow: CreditUnitOfWork) -> CreditLine:
    """A line the viewer may not see is reported exactly like a missing one."""
    async with uow:
        line = await uow.lines.get(credit_line_id)
    if line is None or not viewer.can_see(line):
        raise CreditLineNotFound(credit_line_id)
    return line


async def list_credit_lines(query: LineQuery, uow: CreditUnitOfWork) -> list[CreditLine]:
    """Only the lines the viewer may see, in id order (the page token is the last id)."""
    async with uow:
        return await uow.lines.list_visible(query)


async def list_credit_line_audit(
    bank_id: str, credit_line_id: str, after_audit_id: int, limit: int, uow: CreditUnitOfWork
) -> list[AuditRecord]:
    async with uow:
        line = await uow.lines.get(credit_line_id)
        if line is None or line.bank_id != bank_id:
            raise CreditLineNotFound(credit_line_id)
        return await uow.audit.list(LINE, credit_line_id, after_audit_id, limit)
