"""Self-registration and the enterprise lifecycle (verify, reject, deregister) on the
FakeUnitOfWork: states, events, idempotency, and refusals that write nothing."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from g60_members.domain.errors import (
    DuplicateUscc,
    EnterpriseNotActive,
    EnterpriseNotFound,
    EnterpriseNotPending,
    EnterpriseStatusIsFinal,
    StaleVersion,
)
from g60_members.domain.events import (
    EnterpriseDeregistered,
    EnterpriseRegistered,
    EnterpriseRejected,
    EnterpriseVerified,
)
from g60_members.domain.model import EnterpriseStatus
from g60_members.domain.validation import InvalidFields
from g60_members.service_layer import enterprise_lifecycle, handlers
from g60_members.service_layer.commands import (
    ChangeEnterpriseStatus,
    EnterpriseAction,
    SelfRegisterEnterprise,
    UpdateEnterprise,
)
from g60common.idempotency import IdempotencyConflict
from g60common.uscc import random_uscc
from members_fakes import FakeUnitOfWork

RNG = random.Random(6060)
CALLER = "signup:203.0.113.7"
OFFICE = "operator:alliance-office"


def signup(request_id: str = "k-1", **overrides: str) -> SelfRegisterEnterprise:
    fields = {
        "name": "合肥量子通信科技有限公司",
        "uscc": random_uscc(RNG, "340100"),
        "city": "340100",
        "industry": "QUANTUM_COMMUNICATION",
        "industry_code": "",
        "size_class": "SMALL",
        "contact": "张经理 0551-12345678",
    }
    return SelfRegisterEnterprise(CALLER, request_id, **{**fields, **overrides})


def decision(
    enterprise_id: str, action: EnterpriseAction, request_id: str, expected_version: int = 0
) -> ChangeEnterpriseStatus:
    return ChangeEnterpriseStatus(
        OFFICE, request_id, enterprise_id, action, "营业执照核验", expected_version
    )


async def pending(uow: FakeUnitOfWork, request_id: str = "k-1") -> str:
    applied = await enterprise_lifecycle.self_register_enterprise(signup(request_id), uow)
    return applied.value.enterprise_id


async def test_self_registration_is_pending_with_contact_and_one_event() -> None:
    uow = FakeUnitOfWork()
    applied = await enterprise_lifecycle.self_register_enterprise(signup(), uow)
    enterprise = applied.value
    assert (enterprise.status, enterprise.version) == (EnterpriseStatus.PENDING_VERIFICATION, 1)
    assert enterprise.contact == "张经理 0551-12345678"
    assert enterprise.designations == () and enterprise.registered_capital_fen == 0
    assert uow.events == [EnterpriseRegistered(enterprise)]


async def test_self_registration_retry_replays_and_other_content_is_refused() -> None:
    uow = FakeUnitOfWork()
    cmd = signup()
    first = await enterprise_lifecycle.self_register_enterprise(cmd, uow)
    again = await enterprise_lifecycle.self_register_enterprise(cmd, uow)
    assert again.replayed and again.value == first.value
    with pytest.raises(IdempotencyConflict):
        await enterprise_lifecycle.self_register_enterprise(replace(cmd, name="别家"), uow)
    assert len(uow.committed.enterprises) == 1 and len(uow.events) == 1


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"uscc": "91350100M000100Y44"}, {"uscc"}),
        ({"city": "OTHER"}, {"city"}),
        ({"city": "361100"}, {"city"}),
        ({"size_class": "LARGE"}, {"size_class"}),
        ({"contact": "  "}, {"contact"}),
        ({"industry": "OTHER"}, {"industry_code"}),
        ({"name": "", "size_class": "HUGE", "contact": ""}, {"name", "size_class", "contact"}),
    ],
)
async def test_self_registration_names_every_bad_field_and_writes_nothing(
    overrides: dict[str, str], fields: set[str]
) -> None:
    uow = FakeUnitOfWork()
    with pytest.raises(InvalidFields) as exc:
        await enterprise_lifecycle.self_register_enterprise(signup(**overrides), uow)
    assert set(exc.value.violations) == fields
    assert not uow.committed.enterprises and not uow.events


async def test_duplicate_uscc_is_refused_until_the_holder_is_rejected() -> None:
    uow = FakeUnitOfWork()
    squatter = signup("k-1")
    enterprise_id = (await enterprise_lifecycle.self_register_enterprise(squatter, uow)).value
    with pytest.raises(DuplicateUscc):
        await enterprise_lifecycle.self_register_enterprise(
            replace(squatter, request_id="k-2"), uow
        )
    await enterprise_lifecycle.change_enterprise_status(
        decision(enterprise_id.enterprise_id, EnterpriseAction.REJECT, "d-1"), uow
    )
    real = await enterprise_lifecycle.self_register_enterprise(
        replace(squatter, request_id="k-3"), uow
    )
    assert real.value.status is EnterpriseStatus.PENDING_VERIFICATION


async def test_verify_then_deregister_emit_their_events_with_versions() -> None:
    uow = FakeUnitOfWork()
    enterprise_id = await pending(uow)
    await enterprise_lifecycle.change_enterprise_status(
        decision(enterprise_id, EnterpriseAction.VERIFY, "d-1", expected_version=1), uow
    )
    await enterprise_lifecycle.change_enterprise_status(
        decision(enterprise_id, EnterpriseAction.DEREGISTER, "d-2"), uow
    )
    kinds = [(type(e), e.enterprise.version, e.enterprise.status) for e in uow.events]  # type: ignore[union-attr]
    assert kinds == [
        (EnterpriseRegistered, 1, EnterpriseStatus.PENDING_VERIFICATION),
        (EnterpriseVerified, 2, EnterpriseStatus.ACTIVE),
        (EnterpriseDeregistered, 3, EnterpriseStatus.DEREGISTERED),
    ]
    assert isinstance(uow.events[1], EnterpriseVerified) and uow.events[1].reason == "营业执照核验"


async def test_reject_is_final_and_refuses_every_later_change() -> None:
    uow = FakeUnitOfWork()
    enterprise_id = await pending(uow)
    rejected = await enterprise_lifecycle.change_enterprise_status(
        decision(enterprise_id, EnterpriseAction.REJECT, "d-1"), uow
    )
    assert rejected.value.status is EnterpriseStatus.REJECTED
    assert isinstance(uow.events[-1], EnterpriseRejected)
    for n, action in enumerate(EnterpriseAction):
        with pytest.raises(EnterpriseStatusIsFinal):
            await enterprise_lifecycle.change_enterprise_status(
                decision(enterprise_id, action, f"later-{n}"), uow
            )
    update = UpdateEnterprise(OFFICE, "u-1", enterprise_id, 2, {"name": "改名"})
    with pytest.raises(EnterpriseStatusIsFinal):
        await handlers.update_enterprise(update, uow)
    assert len(uow.events) == 2


async def test_lifecycle_refusals_name_the_rule_and_write_nothing() -> None:
    uow = FakeUnitOfWork()
    enterprise_id = await pending(uow)
    with pytest.raises(EnterpriseNotActive):
        await enterprise_lifecycle.change_enterprise_status(
            decision(enterprise_id, EnterpriseAction.DEREGISTER, "d-1"), uow
        )
    await enterprise_lifecycle.change_enterprise_status(
        decision(enterprise_id, EnterpriseAction.VERIFY, "d-2"), uow
    )
    with pytest.raises(EnterpriseNotPending):
        await enterprise_lifecycle.change_enterprise_status(
            decision(enterprise_id, EnterpriseAction.REJECT, "d-3"), uow
        )
    assert len(uow.events) == 2
    assert (OFFICE, "d-1") not in uow.committed.requests


async def test_stale_expected_version_is_refused() -> None:
    uow = FakeUnitOfWork()
    enterprise_id = await pending(uow)
    update = UpdateEnterprise(OFFICE, "u-1", enterprise_id, 1, {"contact": "李经理"})
    await handlers.update_enterprise(update, uow)
    with pytest.raises(StaleVersion):
        await enterprise_lifecycle.change_enterprise_status(
            decision(enterprise_id, EnterpriseAction.VERIFY, "d-1", expected_version=1), uow
        )
    assert uow.committed.enterprises[enterprise_id].status is EnterpriseStatus.PENDING_VERIFICATION
    assert uow.committed.enterprises[enterprise_id].contact == "李经理"


async def test_decision_retry_replays_without_a_second_event() -> None:
    uow = FakeUnitOfWork()
    enterprise_id = await pending(uow)
    cmd = decision(enterprise_id, EnterpriseAction.VERIFY, "d-1")
    first = await enterprise_lifecycle.change_enterprise_status(cmd, uow)
    again = await enterprise_lifecycle.change_enterprise_status(cmd, uow)
    assert again.replayed and again.value == first.value
    assert len(uow.events) == 2


async def test_unknown_enterprise_and_missing_reason() -> None:
    with pytest.raises(EnterpriseNotFound):
        await enterprise_lifecycle.change_enterprise_status(
            decision("nope", EnterpriseAction.VERIFY, "d-1"), FakeUnitOfWork()
        )
    with pytest.raises(InvalidFields) as exc:
        await enterprise_lifecycle.change_enterprise_status(
            replace(decision("x", EnterpriseAction.VERIFY, "d-2"), reason=" "), FakeUnitOfWork()
        )
    assert set(exc.value.violations) == {"reason"}


async def test_sign_up_outside_the_nine_says_so_rather_than_asking_for_a_region_code() -> None:
    with pytest.raises(InvalidFields) as exc:
        await enterprise_lifecycle.self_register_enterprise(signup(city="OTHER"), FakeUnitOfWork())
    assert exc.value.violations["city"] == "must be one of the nine G60 corridor city codes"
