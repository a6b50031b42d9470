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
        if forward := enterprise_fact(fact, new.dims, served=served, active=active):
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
    fact: CreditFact, dims: list[str], *, served: bool, active: bool
) -> ServedFact | None:
    """What to forward to the enterprise-keyed stream: the published cells the
    enterprise was served in (a disbursement) and/or is active in, or None."""
    if not fact.parties.enterprise_id or not (served or active):
        return None
    # Enterprises are counted per published cell; bank shares count banks only.
    cells = published_keys(dims)
    keys = (cells if served else ()) + (tuple(map(active_key, cells)) if active else ())
    return ServedFact(fact.parties.enterprise_id, fact.month, keys)
