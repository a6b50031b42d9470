"""The enterprise lifecycle on the pure domain: pending, verified, rejected,
deregistered; every change counted in the version, final states final."""

from __future__ import annotations

import pytest
from g60_members.domain.errors import (
    EnterpriseNotActive,
    EnterpriseNotPending,
    EnterpriseStatusIsFinal,
    IllegalStatusTransition,
)
from g60_members.domain.model import FINAL_ENTERPRISE_STATUSES, Enterprise, EnterpriseStatus
from g60_members.domain.validation import validate_enterprise
from g60common.corridor import Industry, SizeClass
from hypothesis import given
from hypothesis import strategies as st

USCC = "91350100M000100Y43"


def an_enterprise(status: EnterpriseStatus = EnterpriseStatus.PENDING_VERIFICATION) -> Enterprise:
    return Enterprise(
        "e-1", "宣城新材料有限公司", USCC, "341800", "", Industry.NEW_MATERIALS, "",
        SizeClass.MICRO, status=status, contact="刘先生",
    )  # fmt: skip


def test_verify_then_deregister() -> None:
    firm = an_enterprise()
    firm.verify()
    assert (firm.status, firm.version) == (EnterpriseStatus.ACTIVE, 2)
    firm.deregister()
    assert (firm.status, firm.version) == (EnterpriseStatus.DEREGISTERED, 3)


def test_only_a_pending_enterprise_is_verified_or_rejected() -> None:
    firm = an_enterprise(EnterpriseStatus.ACTIVE)
    for decide in (firm.verify, firm.reject):
        with pytest.raises(EnterpriseNotPending):
            decide()
    assert firm.version == 1


def test_only_an_active_enterprise_is_deregistered() -> None:
    with pytest.raises(EnterpriseNotActive):
        an_enterprise().deregister()


@pytest.mark.parametrize("final", sorted(FINAL_ENTERPRISE_STATUSES))
def test_final_states_refuse_everything_including_updates(final: EnterpriseStatus) -> None:
    firm = an_enterprise(final)
    for action in (firm.verify, firm.reject, firm.deregister):
        with pytest.raises(EnterpriseStatusIsFinal):
            action()
    details = validate_enterprise("新名", USCC, "341800", "", "NEW_MATERIALS", "", "MICRO", (), 0)
    with pytest.raises(EnterpriseStatusIsFinal):
        firm.revise(details)
    assert firm.version == 1


def test_revise_keeps_a_pending_enterprise_pending() -> None:
    firm = an_enterprise()
    details = validate_enterprise(
        "宣城新材料股份有限公司", USCC, "341800", "", "NEW_MATERIALS", "", "SMALL", (), 0, "赵女士"
    )
    firm.revise(details)
    assert (firm.status, firm.size_class, firm.contact, firm.version) == (
        EnterpriseStatus.PENDING_VERIFICATION,
        SizeClass.SMALL,
        "赵女士",
        2,
    )


_ACTIONS = {
    "verify": Enterprise.verify,
    "reject": Enterprise.reject,
    "deregister": Enterprise.deregister,
}


@given(st.lists(st.sampled_from(sorted(_ACTIONS)), max_size=10))
def test_version_counts_the_changes_and_final_states_absorb(actions: list[str]) -> None:
    firm = an_enterprise()
    applied = 0
    for action in actions:
        before = (firm.status, firm.version)
        try:
            _ACTIONS[action](firm)
            applied += 1
        except IllegalStatusTransition:
            assert (firm.status, firm.version) == before  # a refusal changes nothing
        if before[0] in FINAL_ENTERPRISE_STATUSES:
            assert (firm.status, firm.version) == before  # nothing leaves a final state
        # Nothing leads back to PENDING_VERIFICATION.
        assert firm.status is not EnterpriseStatus.PENDING_VERIFICATION or applied == 0
    assert firm.version == 1 + applied
