"""What the credit service knows of members and enterprises, from their events."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MemberView:
    member_id: str
    institution_type: str
    home_city: str
    status: str
    version: int

    @property
    def is_active_bank(self) -> bool:
        return self.institution_type == "BANK" and self.status == "ACTIVE"

    @property
    def is_active_guarantor(self) -> bool:
        return self.institution_type == "GUARANTEE" and self.status == "ACTIVE"


@dataclass(frozen=True)
class EnterpriseView:
    enterprise_id: str
    city: str
    region_code: str
    industry: str
    size_class: str
    status: str
    version: int
