"""Errors named for the credit rule they break."""

from __future__ import annotations


class CreditError(Exception):
    """Base for credit rule violations."""


class InvalidFields(CreditError):
    """Every bad field of a request, by field name."""

    def __init__(self, violations: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in violations.items()))
        self.violations = violations


class UnknownEnterprise(CreditError):
    """Credit is only granted to enterprises registered with the alliance."""


class BankNotActive(CreditError):
    """Only ACTIVE member banks may grant credit."""


class NotABank(CreditError):
    """Only banks register credit lines."""


class GuarantorNotEligible(CreditError):
    """Only ACTIVE guarantee companies may guarantee."""


class CreditLineNotFound(CreditError):
    """Unknown id, or a line of another bank (never confirmed to exist)."""
