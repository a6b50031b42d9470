"""Domain events of the member registry. Each carries the aggregate's full state."""

from __future__ import annotations

from dataclasses import dataclass

from g60_members.domain.model import Enterprise, Member


@dataclass(frozen=True)
class MemberRegistered:
    member: Member


@dataclass(frozen=True)
class EnterpriseRegistered:
    enterprise: Enterprise


MembersEvent = MemberRegistered | EnterpriseRegistered
