"""Stream totals vs. totals recomputed from the credit database."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from g60_aggregator.adapters.credit_outbox import CreditHistory
from g60_aggregator.domain.drift import Drift, find_drift
from g60_aggregator.domain.totals import ALLIANCE, Sums, cumulative


@dataclass(frozen=True)
class Reconciliation:
    events: int
    drifts: list[Drift]  # stream vs. the outbox history, every dimension and month
    state_drifts: list[Drift]  # stream vs. the state tables, alliance-wide

    @property
    def exact(self) -> bool:
        return not self.drifts and not self.state_drifts

    def to_json(self) -> dict[str, Any]:
        return {
            "exact": self.exact,
            "events": self.events,
            "drifts": [{**asdict(d), "drift": d.drift} for d in self.drifts],
            "state_drifts": [{**asdict(d), "drift": d.drift} for d in self.state_drifts],
        }


def _state_drifts(stream: Sums, state: dict[str, int]) -> list[Drift]:
    alliance = stream.get(ALLIANCE, {})
    out = []
    for measure, source in sorted(state.items()):
        value = cumulative(alliance.get(measure, {}))
        if value != source:
            out.append(Drift(ALLIANCE, "", measure, None, value, source))
    return out


def reconcile(stream: Sums, history: CreditHistory) -> Reconciliation:
    return Reconciliation(
        events=history.events,
        drifts=find_drift(stream, history.fold.sums()),
        state_drifts=_state_drifts(stream, history.state),
    )
