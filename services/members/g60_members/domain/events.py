"""Domain events of the member registry. Each carries the aggregate's full state
after the change, so consumers never need to call back."""

from __future__ import annotations

from dataclasses import dataclass

from g60_members.domain.model import Enterprise, Member


@dataclass(frozen=True)
class MemberRegistered:
    member: Member


@dataclass(frozen=True)
class MemberUpdated:
    member: Member


@dataclass(frozen=True)
class MemberSuspended:
    member: Member
    reason: str


@dataclass(frozen=True)
class MemberReinstated:
    member: Member
    reason: str


@dataclass(frozen=True)
class MemberWithdrawn:
    member: Member
    reason: str


@dataclass(frozen=True)
class EnterpriseRegistered:
    enterprise: Enterprise


@dataclass(frozen=True)
class EnterpriseUpdated:
    enterprise: Enterprise


MemberStatusEvent = MemberSuspended | MemberReinstated | MemberWithdrawn
MembersEvent = (
    MemberRegistered | MemberUpdated | MemberStatusEvent | EnterpriseRegistered | EnterpriseUpdated
)
