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


class EnterpriseNotActive(CreditError):
    """Registered, but not (or no longer) ACTIVE: a self-registered SME awaiting the
    alliance office's verification, or a deregistered one."""


class BankNotActive(CreditError):
    """Only ACTIVE member banks may grant credit."""


class NotABank(CreditError):
    """Only banks register credit lines."""


class GuarantorNotEligible(CreditError):
    """Only ACTIVE guarantee companies may guarantee."""


class CreditLineNotFound(CreditError):
    """Unknown id, or a line of another bank (never confirmed to exist)."""


class ApplicationNotFound(CreditError):
    """Unknown id, or an application the caller may not see (never confirmed to exist)."""


class GuarantorCapacityNotFound(CreditError):
    """No capacity set for this guarantor, or one the caller may not read (never
    confirmed to exist)."""


# --- broken preconditions (FAILED_PRECONDITION, the reason is the class name) ---


class CreditPreconditionFailed(CreditError):
    """A command that is well formed but not allowed in the current state."""


class CreditLimitExceeded(CreditPreconditionFailed):
    """A drawdown or approval larger than the line's available credit."""


class CreditLineFrozen(CreditPreconditionFailed):
    """A frozen line grants no new credit until it is unfrozen."""


class CreditLineClosed(CreditPreconditionFailed):
    """A closed line is final."""


class CreditLineExpired(CreditPreconditionFailed):
    """The line's validity window has ended (or the sweeper already expired it)."""


class OutsideValidityWindow(CreditPreconditionFailed):
    """Credit is used only on business dates inside [valid_from, valid_to]."""


class CreditLineNotFrozen(CreditPreconditionFailed):
    """Only a frozen line can be unfrozen."""


class LimitBelowUsage(CreditPreconditionFailed):
    """A limit may not drop below reserved + utilized."""


class LimitUnchanged(CreditPreconditionFailed):
    """An amendment must change the limit."""


class OutstandingPrincipal(CreditPreconditionFailed):
    """A line with unpaid principal cannot be closed."""


class CreditLineMismatch(CreditPreconditionFailed):
    """The bound line belongs to another enterprise."""


class ApplicationNotPending(CreditPreconditionFailed):
    """The application was already decided (first approval wins) or withdrawn."""


class AlreadyDeclined(CreditPreconditionFailed):
    """This bank has declined the application already; it stays open to the others."""


class ApplicationNotDrawable(CreditPreconditionFailed):
    """Only APPROVED or DISBURSED applications take drawdowns."""


class LoanMatured(CreditPreconditionFailed):
    """No new tranche on or after the loan's maturity date (it would be due at once), no
    extension after it (展期 is asked for before the loan falls due)."""


class LoanNotDisbursed(CreditPreconditionFailed):
    """Only a drawn loan with principal outstanding can be extended."""


class LoanOverdue(CreditPreconditionFailed):
    """A loan the sweeper has marked overdue is not extended: it is already late."""


class AlreadyExtended(CreditPreconditionFailed):
    """A loan is extended once."""


class ExtensionTooLong(CreditPreconditionFailed):
    """The extension is longer than the loan's term allows (贷款通则 art. 12)."""


class LoanExtended(CreditPreconditionFailed):
    """No new tranche on an extended loan: the extension defers repayment, it lends
    nothing new."""


class ApprovedAmountExceeded(CreditPreconditionFailed):
    """Tranches together may not exceed the approved amount."""


class RepaymentExceedsOutstanding(CreditPreconditionFailed):
    """A repayment larger than the outstanding principal."""


class LoanNotOverdue(CreditPreconditionFailed):
    """A guarantor compensates (代偿) only a loan the sweeper has marked overdue."""


class CompensationExceedsGuarantee(CreditPreconditionFailed):
    """A compensation larger than the guarantee the loan still holds."""


class NoBankToAddress(CreditPreconditionFailed):
    """A matchmaking application found no ACTIVE bank in the enterprise's city."""


class GuarantorCapacityExceeded(CreditPreconditionFailed):
    """The guarantee company's remaining capacity is smaller than its share."""


class StaleVersion(CreditError):
    """The caller decided on a version of the line that is no longer current."""


class ConcurrentUpdate(CreditError):
    """Someone else changed the row first; retrying is safe (ABORTED)."""
