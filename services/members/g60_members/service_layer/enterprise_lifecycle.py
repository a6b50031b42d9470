"""Enterprise onboarding and lifecycle: self-registration, the office's check
(verify or reject) and deregistration.

Idempotent per (caller, request id) exactly like the other handlers (`run_once`):
a retry returns the stored result and writes nothing; a failed command writes
nothing, so the caller may fix it and retry under the same id.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict

from g60_members.domain import validation
from g60_members.domain.events import (
    EnterpriseDeregistered,
    EnterpriseRegistered,
    EnterpriseRejected,
    EnterpriseStatusEvent,
    EnterpriseVerified,
)
from g60_members.domain.model import Enterprise, EnterpriseStatus
from g60_members.domain.snapshots import enterprise_from_snapshot
from g60_members.domain.updates import check_expected_version, check_reason
from g60_members.service_layer.commands import (
    ChangeEnterpriseStatus,
    EnterpriseAction,
    SelfRegisterEnterprise,
)
from g60_members.service_layer.handlers import Applied, enterprise_for_update, run_once
from g60_members.service_layer.unit_of_work import MembersUnitOfWork


async def self_register_enterprise(
    cmd: SelfRegisterEnterprise, uow: MembersUnitOfWork
) -> Applied[Enterprise]:
    """Creates the enterprise PENDING_VERIFICATION and emits EnterpriseRegistered.
    Fails with InvalidFields or DuplicateUscc; both write nothing."""
    valid = validation.validate_self_registration(
        cmd.name,
        cmd.uscc,
        cmd.city,
        cmd.industry,
        cmd.industry_code,
        cmd.size_class,
        cmd.contact,
    )

    async def work() -> Enterprise:
        enterprise = Enterprise(
            enterprise_id=str(uuid.uuid4()),
            status=EnterpriseStatus.PENDING_VERIFICATION,
            **asdict(valid),
        )
        await uow.repo.add_enterprise(enterprise)
        await uow.publish(EnterpriseRegistered(enterprise))
        return enterprise

    return await run_once(uow, cmd, enterprise_from_snapshot, work)


_TRANSITIONS: dict[
    EnterpriseAction, tuple[Callable[[Enterprise], None], type[EnterpriseStatusEvent]]
] = {
    EnterpriseAction.VERIFY: (Enterprise.verify, EnterpriseVerified),
    EnterpriseAction.REJECT: (Enterprise.reject, EnterpriseRejected),
    EnterpriseAction.DEREGISTER: (Enterprise.deregister, EnterpriseDeregistered),
}


async def change_enterprise_status(
    cmd: ChangeEnterpriseStatus, uow: MembersUnitOfWork
) -> Applied[Enterprise]:
    """Verify, reject or deregister, under the row lock. Fails with InvalidFields,
    EnterpriseNotFound, StaleVersion (expected_version given and not current) or an
    IllegalStatusTransition (EnterpriseNotPending, EnterpriseNotActive,
    EnterpriseStatusIsFinal)."""
    reason = check_reason(cmd.reason)
    check_expected_version(cmd.expected_version, required=False)
    transition, event_type = _TRANSITIONS[cmd.action]

    async def work() -> Enterprise:
        enterprise = await enterprise_for_update(uow, cmd.enterprise_id)
        if cmd.expected_version:
            enterprise.check_version(cmd.expected_version)
        previous = enterprise.version
        transition(enterprise)
        await uow.repo.save_enterprise(enterprise, previous)
        await uow.publish(event_type(enterprise, reason))
        return enterprise

    return await run_once(uow, cmd, enterprise_from_snapshot, work)
