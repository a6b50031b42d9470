"""How each credit event changes an aggregate's contribution (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from g60_aggregator.domain.totals import CREDIT_GRANTED, AggregateState, Parties, dimension_keys


@dataclass(frozen=True)
class CreditFact:
    """What the aggregator needs of one event, already decoded."""

    event_type: str
    aggregate_id: str
    version: int
    month: str  # YYYY-MM in Asia/Shanghai, from occurred_at
    parties: Parties
    limit_fen: int = 0


def apply_fact(state: AggregateState | None, fact: CreditFact) -> AggregateState:
    new = AggregateState(
        version=fact.version,
        dims=state.dims if state else dimension_keys(fact.parties),
        contribution={k: dict(v) for k, v in (state.contribution if state else {}).items()},
    )
    if fact.event_type == "CreditLineRegistered":
        # 累计授信: the initial limit counts once, in the month it was granted.
        new.add(CREDIT_GRANTED, fact.month, fact.limit_fen)
    return new
