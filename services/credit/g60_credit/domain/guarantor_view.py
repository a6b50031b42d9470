"""What a guarantee company (融资担保公司) sees of the loans it backs.

Its exposure is the lender's: it sees an application once it is bound to a line it
backs, exactly as the lending bank sees it, but never the parties' request ids (they
are the caller's own, and the guarantor made none of these changes).
"""

from __future__ import annotations

from g60_credit.domain.application import FinancingApplication
from g60_credit.domain.model import CreditLine


def guarantor_sees(app: FinancingApplication, line: CreditLine | None, guarantor_id: str) -> bool:
    """Only an approved application is bound to a line; `line` is the one it is bound to."""
    if not guarantor_id or not app.credit_line_id or line is None:
        return False
    return line.credit_line_id == app.credit_line_id and line.guarantor_id == guarantor_id


def as_seen_by_guarantor(app: FinancingApplication) -> FinancingApplication:
    """The lender's view: the guarantor stands behind the lender's loan, not the others'
    bids (who else was asked, who declined)."""
    return app.as_seen_by_bank(app.bank_id)
