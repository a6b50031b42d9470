"""Plain-dict snapshots of aggregates, stored as idempotent responses."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from g60common.corridor import Designation, Industry, InstitutionType, SizeClass

from g60_members.domain.model import Enterprise, EnterpriseStatus, Member, MemberStatus


def member_snapshot(member: Member) -> dict[str, Any]:
    data = asdict(member)
    data["joined_at"] = member.joined_at.isoformat()
    return data


def member_from_snapshot(data: dict[str, Any]) -> Member:
    return Member(
        **{
            **data,
            "institution_type": InstitutionType(data["institution_type"]),
            "status": MemberStatus(data["status"]),
            "joined_at": datetime.fromisoformat(data["joined_at"]),
        }
    )


def enterprise_snapshot(enterprise: Enterprise) -> dict[str, Any]:
    data = asdict(enterprise)
    data["designations"] = list(enterprise.designations)
    return data


def enterprise_from_snapshot(data: dict[str, Any]) -> Enterprise:
    return Enterprise(
        **{
            **data,
            "industry": Industry(data["industry"]),
            "size_class": SizeClass(data["size_class"]),
            "designations": tuple(Designation(d) for d in data["designations"]),
            "status": EnterpriseStatus(data["status"]),
        }
    )
