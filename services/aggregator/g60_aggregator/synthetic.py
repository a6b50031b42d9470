"""A synthetic, valid credit event history (for tests, replays and the benchmark).

Each aggregate's events come in version order with non-decreasing business time;
money never breaks the line's rules (no drawdown beyond available, no repayment
beyond outstanding). Not used by the running service."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from g60.events.v1 import credit_events_pb2 as pb
from g60.events.v1 import envelope_pb2
from g60common.corridor import CORRIDOR_CITIES
from g60common.events import new_envelope, timestamp

CITIES = sorted(CORRIDOR_CITIES)
INDUSTRIES = ("AI", "IC", "BIOMED", "HIGH_END_EQUIPMENT", "NEW_ENERGY", "NEW_MATERIALS")
SIZES = ("MICRO", "SMALL", "MEDIUM")
TYPES = ("BANK", "RURAL_BANK")
START = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass
class _Line:
    line_id: str
    parties: pb.CreditParties
    limit_fen: int
    status: str = "ACTIVE"
    outstanding_fen: int = 0
    version: int = 0
    at: datetime = START
    apps_disbursed: set[str] = field(default_factory=set)


class SyntheticHistory:
    def __init__(self, seed: int, banks: int = 12, enterprises: int = 400) -> None:
        self.rng = random.Random(seed)
        self.banks = [(f"bank-{i}", CITIES[i % 9], TYPES[i % 2]) for i in range(banks)]
        self.enterprises = [
            (f"ent-{i}", CITIES[(i * 7) % 9], INDUSTRIES[i % 6], SIZES[i % 3])
            for i in range(enterprises)
        ]

    def _parties(self) -> pb.CreditParties:
        bank_id, bank_city, bank_type = self.rng.choice(self.banks)
        ent_id, city, industry, size = self.rng.choice(self.enterprises)
        return pb.CreditParties(
            bank_id=bank_id, bank_city=bank_city, bank_type=bank_type, enterprise_id=ent_id,
            enterprise_city=city, industry=industry, size_class=size,
        )  # fmt: skip

    def _envelope(self, line: _Line, payload: object) -> envelope_pb2.EventEnvelope:
        line.version += 1
        line.at += timedelta(hours=self.rng.randint(1, 24 * 20))
        return new_envelope(
            payload,  # type: ignore[arg-type]
            aggregate_type="CreditLine", aggregate_id=line.line_id,
            aggregate_version=line.version, occurred_at=line.at, correlation_id="synthetic",
        )  # fmt: skip

    def _balances(self, line: _Line) -> pb.CreditLineBalances:
        return pb.CreditLineBalances(
            limit_fen=line.limit_fen, utilized_fen=line.outstanding_fen, status=line.status,
            outstanding_fen=line.outstanding_fen,
            available_fen=max(line.limit_fen - line.outstanding_fen, 0),
        )  # fmt: skip

    def line_events(self, n: int) -> Iterator[envelope_pb2.EventEnvelope]:
        line = _Line(f"line-{self.rng.getrandbits(64):016x}", self._parties(), 0)
        line.limit_fen = self.rng.randint(1, 10_000) * 1_000_000
        yield self._envelope(line, pb.CreditLineRegistered(
            credit_line_id=line.line_id, parties=line.parties, limit_fen=line.limit_fen,
            currency="CNY", balances=self._balances(line),
        ))  # fmt: skip
        for _ in range(n - 1):
            yield self._next(line)

    def _next(self, line: _Line) -> envelope_pb2.EventEnvelope:
        roll = self.rng.random()
        if line.status == "FROZEN":
            line.status = "ACTIVE"
            return self._status(line, pb.CreditLineUnfrozen)
        if roll < 0.15:
            return self._amend(line)
        if roll < 0.22:
            line.status = "FROZEN"
            return self._status(line, pb.CreditLineFrozen)
        if roll < 0.6 and line.outstanding_fen < line.limit_fen:
            return self._disburse(line)
        if line.outstanding_fen > 0:
            return self._repay(line)
        return self._amend(line)

    def _status(self, line: _Line, kind: type) -> envelope_pb2.EventEnvelope:
        return self._envelope(
            line, kind(credit_line_id=line.line_id, parties=line.parties,
                       balances=self._balances(line)),
        )  # fmt: skip

    def _amend(self, line: _Line) -> envelope_pb2.EventEnvelope:
        previous = line.limit_fen
        floor = max(line.outstanding_fen, 1_000_000)
        line.limit_fen = max(floor, previous + self.rng.randint(-50, 100) * 1_000_000)
        return self._envelope(line, pb.CreditLineAmended(
            credit_line_id=line.line_id, parties=line.parties, previous_limit_fen=previous,
            limit_fen=line.limit_fen, delta_fen=line.limit_fen - previous,
            balances=self._balances(line),
        ))  # fmt: skip

    def _disburse(self, line: _Line) -> envelope_pb2.EventEnvelope:
        amount = self.rng.randint(1, line.limit_fen - line.outstanding_fen)
        line.outstanding_fen += amount
        app_id = f"app-{line.line_id}-{self.rng.randint(0, 2)}"
        first = app_id not in line.apps_disbursed
        line.apps_disbursed.add(app_id)
        submitted = line.at - timedelta(seconds=self.rng.randint(0, 30 * 86_400))
        return self._envelope(line, pb.FundsDisbursed(
            drawdown_id=f"dd-{line.version}", credit_line_id=line.line_id,
            application_id=app_id, parties=line.parties, amount_fen=amount,
            first_disbursement=first, submitted_at=timestamp(submitted),
            balances=self._balances(line),
        ))  # fmt: skip

    def _repay(self, line: _Line) -> envelope_pb2.EventEnvelope:
        amount = self.rng.randint(1, line.outstanding_fen)
        line.outstanding_fen -= amount
        return self._envelope(line, pb.LoanRepaid(
            repayment_id=f"rp-{line.version}", credit_line_id=line.line_id,
            parties=line.parties, amount_fen=amount, balances=self._balances(line),
        ))  # fmt: skip

    def application_events(self) -> Iterator[envelope_pb2.EventEnvelope]:
        app = _Line(f"fa-{self.rng.getrandbits(64):016x}", self._parties(), 0)
        yield self._app_envelope(app, pb.FinancingApplied(
            application_id=app.line_id, parties=app.parties, amount_fen=1_000_000,
            term_months=12, submitted_at=timestamp(app.at),
        ))  # fmt: skip
        roll = self.rng.random()
        if roll < 0.5:
            yield self._app_envelope(app, pb.FinancingApproved(
                application_id=app.line_id, parties=app.parties, approved_fen=1_000_000,
            ))  # fmt: skip
        elif roll < 0.8:
            yield self._app_envelope(app, pb.FinancingRejected(
                application_id=app.line_id, parties=app.parties, final=True,
            ))  # fmt: skip
        else:
            yield self._app_envelope(app, pb.FinancingWithdrawn(
                application_id=app.line_id, parties=app.parties,
            ))  # fmt: skip

    def _app_envelope(self, app: _Line, payload: object) -> envelope_pb2.EventEnvelope:
        envelope = self._envelope(app, payload)
        envelope.aggregate_type = "FinancingApplication"
        return envelope

    def events(self, total: int, events_per_line: int = 10) -> list[envelope_pb2.EventEnvelope]:
        """About `total` events, each aggregate's in order, aggregates interleaved."""
        streams: list[list[envelope_pb2.EventEnvelope]] = []
        count = 0
        while count < total:
            if self.rng.random() < 0.2:
                stream = list(self.application_events())
            else:
                stream = list(self.line_events(self.rng.randint(1, 2 * events_per_line)))
            streams.append(stream)
            count += len(stream)
        return _interleave(self.rng, streams)


def _interleave(
    rng: random.Random, streams: list[list[envelope_pb2.EventEnvelope]]
) -> list[envelope_pb2.EventEnvelope]:
    """Merges per-aggregate streams keeping each one's order (as a topic partition does)."""
    slots = [idx for idx, s in enumerate(streams) for _ in s]
    rng.shuffle(slots)
    cursors = [0] * len(streams)
    out = []
    for idx in slots:
        out.append(streams[idx][cursors[idx]])
        cursors[idx] += 1
    return out
