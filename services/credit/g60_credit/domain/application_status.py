"""Where a financing application is in its lifecycle (see domain.application)."""

from __future__ import annotations

from enum import StrEnum


class ApplicationStatus(StrEnum):
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"
    DISBURSED = "DISBURSED"
    REPAID = "REPAID"
    CLOSED = "CLOSED"
