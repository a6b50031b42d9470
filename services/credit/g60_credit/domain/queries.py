"""Read-side query parameters, bounded so no caller can ask for everything at once."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def page_size(requested: int) -> int:
    if requested <= 0:
        return DEFAULT_PAGE_SIZE
    return min(requested, MAX_PAGE_SIZE)


@dataclass(frozen=True)
class LineQuery:
    bank_id: str
    status: str = ""
    enterprise_id: str = ""
    after_id: str = ""
    limit: int = DEFAULT_PAGE_SIZE


@dataclass(frozen=True)
class ApplicationQuery:
    """Applications of `enterprise_id`, or addressed to `bank_id` (exactly one is set)."""

    enterprise_id: str = ""
    bank_id: str = ""
    status: str = ""
    after_id: str = ""
    limit: int = DEFAULT_PAGE_SIZE


@dataclass(frozen=True)
class AuditEntry:
    aggregate_type: str
    aggregate_id: str
    action: str
    actor: str
    request_id: str
    before: dict[str, object] | None
    after: dict[str, object]


@dataclass(frozen=True)
class AuditRecord:
    audit_id: int
    action: str
    actor: str
    request_id: str
    occurred_at_iso: str
    before_json: str
    after_json: str
