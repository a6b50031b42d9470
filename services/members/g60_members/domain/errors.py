"""Errors named for the rule they break."""

from __future__ import annotations


class MembersError(Exception):
    """Base for member registry rule violations."""


class MemberNotFound(MembersError):
    pass


class EnterpriseNotFound(MembersError):
    pass


class DuplicateUscc(MembersError):
    """A unified social credit code identifies one party only."""


class StaleVersion(MembersError):
    """Optimistic concurrency: the caller changed a version it no longer holds."""

    def __init__(self, aggregate_id: str, expected: int, actual: int | None) -> None:
        now = f"version {actual}" if actual is not None else "a newer version"
        super().__init__(
            f"{aggregate_id} is at {now}, not the expected {expected}; re-read and retry"
        )
        self.expected = expected
        self.actual = actual


class IllegalStatusTransition(MembersError):
    """The member lifecycle forbids this status change."""


class MemberNotActive(IllegalStatusTransition):
    """Only an ACTIVE member can be suspended."""


class MemberNotSuspended(IllegalStatusTransition):
    """Only a SUSPENDED member can be reinstated."""


class MemberWithdrawnIsFinal(IllegalStatusTransition):
    """WITHDRAWN is terminal: no reinstatement, no further changes."""


class EnterpriseNotPending(IllegalStatusTransition):
    """Only an enterprise PENDING_VERIFICATION can be verified or rejected."""


class EnterpriseNotActive(IllegalStatusTransition):
    """Only an ACTIVE enterprise can be deregistered."""


class EnterpriseStatusIsFinal(IllegalStatusTransition):
    """REJECTED and DEREGISTERED are terminal: no further changes."""
