"""The financing application (融资申请) aggregate.

Lifecycle: SUBMITTED -> APPROVED | REJECTED | WITHDRAWN; APPROVED -> DISBURSED (one
or more tranches) -> REPAID; APPROVED or fully repaid DISBURSED -> CLOSED.
The loan's term runs from its first drawdown (`first_drawn_on`) to `maturity_date`,
`term_months` later; principal still outstanding after maturity makes it overdue
(逾期), which the sweeper marks once (`mark_overdue`, a lifecycle event).
An approval is valid for a limited number of days (审批有效期) from `approved_on`: one
still undrawn after that lapses, closed by the sweeper (`lapse`, a close).
A few days before `maturity_date` the sweeper tells the parties that a loan still owing
falls due (到期提醒, `announce_due_soon`, a lifecycle event), once per maturity date.
The lender may extend a loan once before it falls due (展期, `extend`, a lifecycle event):
a later maturity date, and no new tranche after it.
Each loan has a risk class (贷款五级分类, `domain.risk`): NORMAL until the overdue mark
makes it SPECIAL_MENTION; the sweeper then moves it down as its days past due cross the
floors (`reclassify`, a lifecycle event), never up.
The loan's life around its maturity date (reminder, extension, overdue mark, risk
class) is in `domain.loan_maturity`, a mixin of this aggregate.
Approval binds the application to one credit line of the approving bank and does
not reserve credit (see docs/credit.md): credit is consumed by drawdowns only.
The version counts lifecycle events on this aggregate; money movements are
versioned on the credit line.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from g60_credit.domain import errors
from g60_credit.domain.application_status import ApplicationStatus as ApplicationStatus
from g60_credit.domain.calendar import add_months
from g60_credit.domain.loan_maturity import LoanMaturity
from g60_credit.domain.model import CreditLine
from g60_credit.domain.risk import RiskClass

_DRAWABLE = (ApplicationStatus.APPROVED, ApplicationStatus.DISBURSED)
# The changes of a loan under way, which only the lender and the enterprise follow.
# A lapse is the system's close of an undrawn approval: the lender's, like a close.
# Reminders, extensions, overdue marks and risk reclassifications are about the loan,
# so the lender's too.
_LENDER_ONLY_ACTIONS = frozenset(
    {
        "DRAWDOWN",
        "REPAY",
        "COMPENSATE",
        "CLOSE",
        "LAPSE",
        "OVERDUE",
        "DUE_SOON",
        "EXTEND",
        "RECLASSIFY",
    }
)


@dataclass
class FinancingApplication(LoanMaturity):
    application_id: str
    enterprise_id: str
    amount_fen: int
    term_months: int
    purpose: str
    target_bank_ids: tuple[str, ...]
    city_wide: bool
    submitted_at: datetime
    currency: str = "CNY"
    declined_bank_ids: tuple[str, ...] = ()
    status: ApplicationStatus = ApplicationStatus.SUBMITTED
    bank_id: str = ""
    credit_line_id: str = ""
    approved_fen: int = 0
    disbursed_fen: int = 0
    repaid_fen: int = 0
    # Of repaid_fen, what the line's guarantee company paid the bank (代偿).
    compensated_fen: int = 0
    # Guarantor capacity this application holds (its lines' guaranteed share).
    guarantee_fen: int = 0
    # Shanghai business dates of the loan's term; None until the first drawdown.
    first_drawn_on: date | None = None
    maturity_date: date | None = None
    # The first day principal was outstanding past maturity, once the sweeper saw it.
    overdue_since: date | None = None
    # Shanghai business date of the approval; the approval lapses `valid_days` after it.
    approved_on: date | None = None
    # The maturity date the last due-soon reminder announced: one reminder per date.
    due_soon_notified_for: date | None = None
    # Months the loan was extended by (展期); 0 while it was not. Once per loan.
    extended_months: int = 0
    # 五级分类: NORMAL until the overdue mark, then only ever worse (domain.risk).
    risk_class: RiskClass = RiskClass.NORMAL
    version: int = 1

    def __post_init__(self) -> None:
        self.check_invariants()

    @property
    def outstanding_fen(self) -> int:
        return self.disbursed_fen - self.repaid_fen

    def check_invariants(self) -> None:
        assert self.amount_fen > 0 and self.target_bank_ids
        assert 0 <= self.disbursed_fen <= self.approved_fen <= self.amount_fen
        assert 0 <= self.repaid_fen <= self.disbursed_fen
        assert 0 <= self.compensated_fen <= self.repaid_fen
        assert self.guarantee_fen >= 0 and self.version >= 1
        assert (self.first_drawn_on is None) == (self.maturity_date is None)
        assert self.overdue_since is None or self.maturity_date is not None
        assert self.approved_on is None or self.bank_id
        assert self.due_soon_notified_for is None or self.maturity_date is not None
        assert self.extended_months >= 0
        assert not self.extended_months or self.maturity_date is not None
        # Classified worse than NORMAL only by the overdue mark and after it.
        assert (self.overdue_since is None) == (self.risk_class is RiskClass.NORMAL)

    def is_visible_to_bank(self, bank_id: str) -> bool:
        return bank_id in self.target_bank_ids

    def as_seen_by_bank(self, bank_id: str) -> FinancingApplication:
        """What an addressed bank is shown. The other banks the application went to, and
        which of them declined, are theirs (who is in the city, who turned the
        enterprise down): it sees itself among the targets and its own decline only;
        `city_wide` still says whether others were asked. A bank that lost sees a won
        application as its approval told it (every addressed bank gets
        FinancingApproved): APPROVED, by whom, for how much, on which day (`approved_on`),
        at the approval's version.
        How the loan is then drawn, repaid or closed is between the lender and the
        enterprise. The repository's status filter applies the same rule.

        The version it sees counts only the events it may see: every other bank's
        decline is left out, or its steps would tell how many competitors turned the
        enterprise down (`version_seen_by`)."""
        assert self.is_visible_to_bank(bank_id), "only addressed banks see an application"
        own = replace(
            self,
            target_bank_ids=(bank_id,),
            declined_bank_ids=tuple(b for b in self.declined_bank_ids if b == bank_id),
            version=self.version_seen_by(bank_id, self.version),
        )
        if not self.bank_id or self.bank_id == bank_id:
            return own
        return replace(
            own,
            status=ApplicationStatus.APPROVED,
            disbursed_fen=0,
            repaid_fen=0,
            compensated_fen=0,
            guarantee_fen=0,
            first_drawn_on=None,
            maturity_date=None,
            overdue_since=None,
            due_soon_notified_for=None,
            extended_months=0,
            risk_class=RiskClass.NORMAL,
            version=self.version_seen_by(bank_id, self._approval_version()),
        )

    def bank_sees_change(self, bank_id: str, action: str, made_by_it: bool) -> bool:
        """Whether an addressed bank may read one change in this application's history,
        by the rule of `as_seen_by_bank`: every addressed bank sees the application, the
        approval and a withdrawal; a decline only if it declined; drawdowns, repayments
        and the close only if it is the lender."""
        if action == "REJECT":
            return made_by_it
        if action in _LENDER_ONLY_ACTIONS:
            return self.bank_id == bank_id
        return True

    def version_seen_by(self, bank_id: str, version: int) -> int:
        """`version` less the other banks' declines. Banks decline only while the
        application is SUBMITTED, so every recorded decline came before any later
        version; the gateway's webhook copies count the same way."""
        return version - sum(1 for b in self.declined_bank_ids if b != bank_id)

    def _approval_version(self) -> int:
        """The version the approval gave: the application (1), every decline, then the
        approval. Declines come only while SUBMITTED, so none follows the approval;
        counting from the start rather than back from today's version keeps it right
        whatever lifecycle events the loan has had since (close, lapse, due-soon
        reminders, extension, overdue, risk reclassifications)."""
        assert self.bank_id, "only an approved application has an approval version"
        return 1 + len(self.declined_bank_ids) + 1

    def check_pending(self, bank_id: str = "") -> None:
        """A deciding bank is told the status it is shown (`as_seen_by_bank`): a bank
        that lost learns from a refused decision no more than from a read."""
        if self.status is not ApplicationStatus.SUBMITTED:
            status = self.as_seen_by_bank(bank_id).status if bank_id else self.status
            raise errors.ApplicationNotPending(
                f"application {self.application_id} is already {status}"
            )

    def approve(self, bank_id: str, line: CreditLine, approved_fen: int, today: date) -> None:
        """First approval wins: every later one finds the application not pending."""
        self.check_pending(bank_id)
        if line.bank_id != bank_id:
            raise errors.CreditLineNotFound(line.credit_line_id)
        if line.enterprise_id != self.enterprise_id:
            raise errors.CreditLineMismatch("the credit line belongs to another enterprise")
        if approved_fen > self.amount_fen:
            raise errors.ApprovedAmountExceeded(
                f"approved {approved_fen} fen exceeds the requested {self.amount_fen} fen"
            )
        line.check_can_lend(approved_fen, today)
        self.status = ApplicationStatus.APPROVED
        self.bank_id, self.credit_line_id, self.approved_fen = (
            bank_id,
            line.credit_line_id,
            approved_fen,
        )
        self.approved_on = today
        self._changed()

    def reject(self, bank_id: str) -> bool:
        """A bank declines; the application is REJECTED once every addressed bank has.
        Returns whether this decline was final. Once per bank: a second decline would
        step the version past what the other banks are shown (`version_seen_by`)."""
        self.check_pending(bank_id)
        if bank_id in self.declined_bank_ids:
            raise errors.AlreadyDeclined(
                f"application {self.application_id} was declined by this bank already"
            )
        self.declined_bank_ids = (*self.declined_bank_ids, bank_id)
        final = set(self.declined_bank_ids) >= set(self.target_bank_ids)
        if final:
            self.status = ApplicationStatus.REJECTED
        self._changed()
        return final

    def withdraw(self) -> None:
        self.check_pending()
        self.status = ApplicationStatus.WITHDRAWN
        self._changed()

    def close(self) -> None:
        """The bank ends an approved facility once nothing is outstanding."""
        if self.status not in _DRAWABLE or self.outstanding_fen > 0:
            raise errors.ApplicationNotDrawable(
                f"only APPROVED or fully repaid DISBURSED applications close ({self.status})"
            )
        self.status = ApplicationStatus.CLOSED
        self._changed()

    def has_lapsed(self, today: date, valid_days: int) -> bool:
        """Approved, nothing drawn, and more than `valid_days` days since the approval:
        on day approved_on + valid_days the approval is still drawable."""
        return (
            self.status is ApplicationStatus.APPROVED
            and self.disbursed_fen == 0
            and self.approved_on is not None
            and self.approved_on + timedelta(days=valid_days) < today
        )

    def lapse(self, today: date, valid_days: int) -> None:
        """The system closes an approval left undrawn past its validity (审批有效期).
        Once: a closed application no longer lapses. A drawdown that got the row first
        made it DISBURSED, and then it never lapses."""
        assert self.has_lapsed(today, valid_days), "only a lapsed approval closes this way"
        self.close()

    def record_drawdown(self, amount_fen: int, guarantee_fen: int, today: date) -> None:
        """Money movement: no version bump (the line's version orders it). The first
        tranche starts the term; later tranches share it."""
        if self.status not in _DRAWABLE:
            raise errors.ApplicationNotDrawable(f"application is {self.status}")
        if self.maturity_date is not None and today >= self.maturity_date:
            raise errors.LoanMatured(f"the loan matured on {self.maturity_date.isoformat()}")
        if self.extended_months:
            raise errors.LoanExtended("the loan was extended: it takes no new tranche")
        if self.disbursed_fen + amount_fen > self.approved_fen:
            raise errors.ApprovedAmountExceeded(
                f"{self.approved_fen - self.disbursed_fen} fen of the approval is left"
            )
        self.disbursed_fen += amount_fen
        self.guarantee_fen += guarantee_fen
        self.status = ApplicationStatus.DISBURSED
        if self.first_drawn_on is None:
            self.first_drawn_on = today
            self.maturity_date = add_months(today, self.term_months)
        self.check_invariants()

    def record_repayment(self, amount_fen: int, guarantee_share_fen: int) -> int:
        """Returns the guarantor capacity to release (all of it on the last repayment)."""
        if amount_fen > self.outstanding_fen:
            raise errors.RepaymentExceedsOutstanding(
                f"{amount_fen} fen repaid, {self.outstanding_fen} fen outstanding"
            )
        self.repaid_fen += amount_fen
        release_fen = min(guarantee_share_fen, self.guarantee_fen)
        if self.outstanding_fen == 0:
            release_fen = self.guarantee_fen
            if self.disbursed_fen == self.approved_fen:
                self.status = ApplicationStatus.REPAID
        self.guarantee_fen -= release_fen
        self.check_invariants()
        return release_fen

    def record_compensation(self, amount_fen: int) -> int:
        """The guarantor pays the bank part of an overdue loan (代偿): principal repaid,
        and the guarantee it held released by the same amount. Recourse against the
        enterprise is outside the platform. Nothing left outstanding ends the loan as a
        repayment would. Returns the guarantee released: the amount, or all the loan
        still holds once nothing is outstanding (rounding included)."""
        if self.overdue_since is None:
            raise errors.LoanNotOverdue(f"loan {self.application_id} is not marked overdue")
        if amount_fen > self.outstanding_fen:
            raise errors.RepaymentExceedsOutstanding(
                f"{amount_fen} fen compensated, {self.outstanding_fen} fen outstanding"
            )
        if amount_fen > self.guarantee_fen:
            raise errors.CompensationExceedsGuarantee(
                f"{amount_fen} fen compensated, {self.guarantee_fen} fen guaranteed"
            )
        self.compensated_fen += amount_fen
        released_fen = self.record_repayment(amount_fen, amount_fen)
        assert released_fen >= amount_fen
        return released_fen

    def _changed(self) -> None:
        self.version += 1
        self.check_invariants()
