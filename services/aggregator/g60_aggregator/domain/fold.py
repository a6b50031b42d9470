"""The whole aggregation as one in-memory fold (pure).

Reconciliation and the test oracles fold a full event history with exactly the rules
the streaming workers apply, partition by partition; the two must agree to the fen.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from g60_aggregator.domain.credit_events import (
    AggregateState,
    CreditFact,
    apply_fact,
    first_month,
    should_forward_activity,
)
from g60_aggregator.domain.served import (
    ServedFact,
    ServedMonths,
    active_key,
    merge_served,
    served_sums,
)
from g60_aggregator.domain.totals import (
    Sums,
    VersionCheck,
    add_to_sums,
    check_version,
    published_keys,
)


@dataclass
class TotalsFold:
    aggregates: dict[str, AggregateState] = field(default_factory=dict)
    served: dict[str, ServedMonths] = field(default_factory=dict)
    outcomes: Counter[str] = field(default_factory=Counter)

    def apply(self, aggregate_id: str, version: int, fact: CreditFact | None) -> VersionCheck:
        previous = self.aggregates.get(aggregate_id)
        outcome = check_version(previous.version if previous else 0, version)
        self.outcomes[outcome.value] += 1
        if outcome is VersionCheck.DUPLICATE:
            return outcome
        if fact is None:
            if previous is not None:
                previous.version = version
            return outcome
        new = self.aggregates[aggregate_id] = apply_fact(previous, fact)
        served = fact.event_type == "FundsDisbursed"
        active = should_forward_activity(previous, new)
        if forward := enterprise_fact(fact, new, served=served, active=active):
            self.add_served(forward)
        return outcome

    def add_served(self, fact: ServedFact) -> None:
        before = self.served.get(fact.enterprise_id, {})
        self.served[fact.enterprise_id] = merge_served(before, fact)

    def sums(self) -> Sums:
        sums: Sums = {}
        for state in self.aggregates.values():
            add_to_sums(sums, state.dims, state.contribution)
        for months in self.served.values():
            for dim, change in served_sums(months).items():
                add_to_sums(sums, (dim,), change)
        return sums


def enterprise_fact(
    fact: CreditFact, state: AggregateState, *, served: bool, active: bool
) -> ServedFact | None:
    """What to forward to the enterprise-keyed stream: the published cells the
    enterprise was served in (a disbursement, in its month) and/or is active in (since
    the aggregate's first month, as its figures there are), or None."""
    if not fact.parties.enterprise_id or not (served or active):
        return None
    # Enterprises are counted per published cell; bank shares count banks only.
    cells = published_keys(state.dims)
    keys = (cells if served else ()) + (tuple(map(active_key, cells)) if active else ())
    active_month = first_month(state, fact.month) if active else None
    return ServedFact(fact.parties.enterprise_id, fact.month, keys, active_month)
