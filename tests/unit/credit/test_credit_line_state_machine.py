"""Property-based: no sequence of commands breaks the credit line's invariants."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from g60_credit.domain import errors
from g60_credit.domain.model import CreditLine, CreditLineStatus, Product
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

START = date(2026, 1, 1)
END = date(2026, 12, 31)
amounts = st.integers(min_value=1, max_value=400_000)


class CreditLineMachine(RuleBasedStateMachine):
    """A shadow model predicts each command's outcome; the line must agree."""

    @initialize(limit_fen=st.integers(1, 1_000_000), revolving=st.booleans())
    def register(self, limit_fen: int, revolving: bool) -> None:
        self.line = CreditLine(
            "line-1",
            "bank-1",
            "ent-1",
            Product.WORKING_CAPITAL,
            "CNY",
            limit_fen,
            revolving,
            START,
            END,
        )
        self.today = START
        self.changes = 0
        self.drawn_fen = 0
        self.repaid_fen = 0

    def _expect(self, ok: bool, command: object, *args: object) -> None:
        before = self.line.version
        if ok:
            command(*args)  # type: ignore[operator]
            self.changes += 1
            assert self.line.version == before + 1
        else:
            with pytest.raises(errors.CreditError):
                command(*args)  # type: ignore[operator]
            assert self.line.version == before, "a refused command leaves no trace"

    @property
    def _final(self) -> bool:
        return self.line.status in (CreditLineStatus.CLOSED, CreditLineStatus.EXPIRED)

    @rule(new_limit_fen=st.integers(1, 1_500_000))
    def amend(self, new_limit_fen: int) -> None:
        used = self.line.reserved_fen + self.line.utilized_fen
        ok = not self._final and new_limit_fen != self.line.limit_fen and new_limit_fen >= used
        self._expect(ok, self.line.amend_limit, new_limit_fen)

    @rule()
    def freeze(self) -> None:
        self._expect(self.line.status is CreditLineStatus.ACTIVE, self.line.freeze)

    @rule()
    def unfreeze(self) -> None:
        self._expect(self.line.status is CreditLineStatus.FROZEN, self.line.unfreeze)

    @rule(amount_fen=amounts)
    def draw(self, amount_fen: int) -> None:
        ok = (
            self.line.status is CreditLineStatus.ACTIVE
            and START <= self.today <= END
            and amount_fen <= self.line.available_fen
        )
        self._expect(ok, self.line.draw_down, amount_fen, self.today)
        self.drawn_fen += amount_fen if ok else 0

    @rule(amount_fen=amounts)
    def repay(self, amount_fen: int) -> None:
        ok = amount_fen <= self.line.outstanding_fen
        self._expect(ok, self.line.repay, amount_fen)
        self.repaid_fen += amount_fen if ok else 0

    @rule()
    def close(self) -> None:
        ok = self.line.status is not CreditLineStatus.CLOSED and self.line.outstanding_fen == 0
        self._expect(ok, self.line.close)

    @rule(days=st.integers(0, 400))
    def pass_time_and_expire(self, days: int) -> None:
        self.today += timedelta(days=days)
        ok = not self._final and self.today > END
        self._expect(ok, self.line.expire, self.today)

    @invariant()
    def balances_hold(self) -> None:
        line = self.line
        line.check_invariants()
        assert line.available_fen >= 0
        assert line.outstanding_fen == self.drawn_fen - self.repaid_fen
        expected_utilized = self.drawn_fen - (self.repaid_fen if line.revolving else 0)
        assert line.utilized_fen == expected_utilized
        assert line.version == self.changes + 1


CreditLineMachine.TestCase.settings = settings(
    max_examples=300, stateful_step_count=40, deadline=None
)
TestCreditLineStateMachine = CreditLineMachine.TestCase
