"""Commands the registry accepts. Each mutating command carries the caller and a
request id; its fingerprint (type + content) guards request-id reuse."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class RegisterMember:
    caller: str
    request_id: str
    name: str
    short_name: str
    institution_type: str
    home_city: str
    uscc: str
    contact: str


@dataclass(frozen=True)
class UpdateMember:
    caller: str
    request_id: str
    member_id: str
    expected_version: int
    changes: dict[str, Any] = field(default_factory=dict)  # masked fields only


class StatusAction(StrEnum):
    SUSPEND = "SUSPEND"
    REINSTATE = "REINSTATE"
    WITHDRAW = "WITHDRAW"


@dataclass(frozen=True)
class ChangeMemberStatus:
    caller: str
    request_id: str
    member_id: str
    action: StatusAction
    reason: str
    expected_version: int = 0  # 0: no version check


@dataclass(frozen=True)
class RegisterEnterprise:
    caller: str
    request_id: str
    name: str
    uscc: str
    city: str
    region_code: str
    industry: str
    industry_code: str
    size_class: str
    designations: tuple[str, ...]
    registered_capital_fen: int
    contact: str = ""


@dataclass(frozen=True)
class UpdateEnterprise:
    caller: str
    request_id: str
    enterprise_id: str
    expected_version: int
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SelfRegisterEnterprise:
    """Through the public sign-up; the caller is the gateway's per-address scope."""

    caller: str
    request_id: str
    name: str
    uscc: str
    city: str
    industry: str
    industry_code: str
    size_class: str
    contact: str


class EnterpriseAction(StrEnum):
    VERIFY = "VERIFY"
    REJECT = "REJECT"
    DEREGISTER = "DEREGISTER"


@dataclass(frozen=True)
class ChangeEnterpriseStatus:
    caller: str
    request_id: str
    enterprise_id: str
    action: EnterpriseAction
    reason: str
    expected_version: int = 0  # 0: no version check


Command = (
    RegisterMember
    | UpdateMember
    | ChangeMemberStatus
    | RegisterEnterprise
    | UpdateEnterprise
    | SelfRegisterEnterprise
    | ChangeEnterpriseStatus
)


def fingerprint(command: Command) -> bytes:
    body = json.dumps(asdict(command), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(type(command).__name__.encode() + b"\0" + body.encode()).digest()
