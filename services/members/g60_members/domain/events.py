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


@dataclass(frozen=True)
class EnterpriseVerified:
    enterprise: Enterprise
    reason: str


@dataclass(frozen=True)
class EnterpriseRejected:
    enterprise: Enterprise
    reason: str


@dataclass(frozen=True)
class EnterpriseDeregistered:
    enterprise: Enterprise
    reason: str


MemberStatusEvent = MemberSuspended | MemberReinstated | MemberWithdrawn
EnterpriseStatusEvent = EnterpriseVerified | EnterpriseRejected | EnterpriseDeregistered
MembersEvent = (
    MemberRegistered
    | MemberUpdated
    | MemberStatusEvent
    | EnterpriseRegistered
    | EnterpriseUpdated
    | EnterpriseStatusEvent
)
