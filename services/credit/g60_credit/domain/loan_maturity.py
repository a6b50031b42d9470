"""A drawn loan as its maturity date comes and goes: the due-soon reminder (到期提醒),
the extension (展期), the overdue mark (逾期) and the risk class (贷款五级分类).

A mixin of the FinancingApplication aggregate (domain.application), kept apart so
each file stays readable; it declares the fields it reads, which the aggregate's
dataclass defines.
"""

from __future__ import annotations

from datetime import date, timedelta

from g60_credit.domain import errors
from g60_credit.domain.application_status import ApplicationStatus
from g60_credit.domain.calendar import add_months
from g60_credit.domain.loan_term import max_extension_months
from g60_credit.domain.risk import RiskClass, downgrade


class LoanMaturity:
    # Fields of FinancingApplication (declarations only: this class is no dataclass).
    status: ApplicationStatus
    term_months: int
    maturity_date: date | None
    overdue_since: date | None
    due_soon_notified_for: date | None
    extended_months: int
    risk_class: RiskClass

    @property
    def outstanding_fen(self) -> int:
        raise NotImplementedError

    def _changed(self) -> None:
        raise NotImplementedError

    def is_overdue(self, today: date) -> bool:
        """Principal outstanding after the maturity date."""
        return (
            self.outstanding_fen > 0
            and self.maturity_date is not None
            and self.maturity_date < today
        )

    def is_due_soon(self, today: date, notice_days: int) -> bool:
        """Principal outstanding, not overdue, maturing within `notice_days` days of
        today (on the maturity date itself too: due today), and not yet announced for
        this maturity date. A loan already past maturity gets no reminder: it is
        overdue, and LoanOverdue says so."""
        return (
            self.status is ApplicationStatus.DISBURSED
            and self.outstanding_fen > 0
            and self.overdue_since is None
            and self.maturity_date is not None
            and today <= self.maturity_date <= today + timedelta(days=notice_days)
            and self.due_soon_notified_for != self.maturity_date
        )

    def announce_due_soon(self, today: date, notice_days: int) -> int:
        """Records the reminder for the current maturity date; returns the days left.
        Once per maturity date: `is_due_soon` is then false until the date changes."""
        assert self.is_due_soon(today, notice_days) and self.maturity_date is not None
        self.due_soon_notified_for = self.maturity_date
        self._changed()
        return (self.maturity_date - today).days

    def extend(self, months: int, today: date) -> date:
        """展期: the lender moves the maturity date `months` later (calendar.add_months
        from the current maturity date), once, up to and including the maturity date and
        never once the loan is late. Any due-soon reminder was for the old date: the new
        one is announced afresh. Returns the previous maturity date."""
        self.check_extendable(today)
        limit = max_extension_months(self.term_months)
        if months > limit:
            raise errors.ExtensionTooLong(
                f"a loan of {self.term_months} months extends by at most {limit} months"
            )
        previous = self.maturity_date
        assert previous is not None and months >= 1
        self.maturity_date = add_months(previous, months)
        self.extended_months = months
        self.due_soon_notified_for = None
        self._changed()
        return previous

    def check_extendable(self, today: date) -> None:
        if self.status is not ApplicationStatus.DISBURSED or self.outstanding_fen == 0:
            raise errors.LoanNotDisbursed(
                f"only a drawn loan with principal outstanding extends ({self.status})"
            )
        assert self.maturity_date is not None
        if self.overdue_since is not None:
            raise errors.LoanOverdue(f"the loan is overdue since {self.overdue_since}")
        if today > self.maturity_date:
            raise errors.LoanMatured(f"the loan matured on {self.maturity_date.isoformat()}")
        if self.extended_months:
            raise errors.AlreadyExtended(
                f"the loan was extended by {self.extended_months} months already"
            )

    def mark_overdue(self, today: date) -> None:
        """Once per loan: a later repayment does not clear `overdue_since` (the record
        that it was late stays); the sweeper only looks at loans not yet marked."""
        assert self.overdue_since is None and self.is_overdue(today)
        assert self.maturity_date is not None
        self.overdue_since = self.maturity_date + timedelta(days=1)
        # Overdue at all is at least 关注; the next sweeper step takes it further down.
        self.risk_class = RiskClass.SPECIAL_MENTION
        self._changed()

    def days_past_due(self, today: date) -> int:
        """Days since maturity while principal is outstanding; 0 otherwise (not yet due,
        or repaid)."""
        if not self.is_overdue(today):
            return 0
        assert self.maturity_date is not None
        return (today - self.maturity_date).days

    def reclassification_due(self, today: date) -> RiskClass | None:
        """The worse class the floors put this loan in today, or None. Only a loan marked
        overdue and still owing moves: the mark comes first, and a repaid loan keeps the
        class it ended in."""
        if self.overdue_since is None:
            return None
        return downgrade(self.risk_class, self.days_past_due(today))

    def reclassify(self, today: date) -> RiskClass:
        """Moves the loan down to the class its days past due require, in one step
        (400 days late: straight to LOSS). Returns the class it was in."""
        new_class = self.reclassification_due(today)
        assert new_class is not None, "only a loan the floors put in a worse class moves"
        previous, self.risk_class = self.risk_class, new_class
        self._changed()
        return previous
