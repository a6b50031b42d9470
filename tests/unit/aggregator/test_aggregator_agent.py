"""The Faust agent itself, in `agent.test_context()` with the memory store: no broker.

Changelog and topic sends are replaced by recorders; everything else (tables, the
agent loop, the applier) is the real code."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import faust
import pytest
from g60.events.v1 import credit_events_pb2
from g60_aggregator.adapters import metrics
from g60_aggregator.config import AggregatorSettings
from g60_aggregator.entrypoints.app import create_app
from g60_aggregator.synthetic import SyntheticHistory
from g60common.events import new_envelope
from g60common.kafka import TOPIC_CREDIT_EVENTS


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Any:
    sent: list[tuple[str, bytes, bytes]] = []

    async def record_send(self: Any, *, key: Any = None, value: Any = None, **_: Any) -> None:
        sent.append((self.get_topic_name(), key, value))

    monkeypatch.setattr(faust.Topic, "send", record_send)
    app = create_app(AggregatorSettings.from_env({"G60_AGGREGATOR_DATA_DIR": str(tmp_path)}))
    for table in app.tables.values():
        monkeypatch.setattr(table, "_send_changelog", lambda *a, **k: None)
    app.sent = sent  # type: ignore[attr-defined]
    return app


def _agent(app: Any, suffix: str) -> Any:
    return next(a for name, a in app.agents.items() if name.endswith(suffix))


async def test_agent_applies_each_version_once_and_forwards_served(app: Any) -> None:
    history = SyntheticHistory(7, banks=2, enterprises=5).events(60)
    async with _agent(app, "apply_credit_events").test_context() as agent:
        for e in [*history, *history[:20]]:  # the first 20 redelivered
            await agent.put(e.SerializeToString(), key=e.aggregate_id.encode())
    table = app.tables["credit-aggregate-state"]
    latest = {e.aggregate_id: e.aggregate_version for e in history}
    assert {k: json.loads(v)["version"] for k, v in table.items()} == latest
    forwarded = {key for topic, key, _ in app.sent if topic.endswith("enterprise-served")}
    disbursing = {e.aggregate_id for e in history if e.event_type == "FundsDisbursed"}
    assert forwarded and len(disbursing) >= 1


async def test_guarantor_capacity_events_move_no_total_and_raise_no_gap(app: Any) -> None:
    """GuarantorCapacity is versioned on its own aggregate: skipped whole, it must not
    look like a line whose versions 1 and 2 went missing."""
    history = SyntheticHistory(11, banks=2, enterprises=4).events(30)
    settings = [
        new_envelope(
            credit_events_pb2.GuarantorCapacitySet(guarantor_id="g-1", capacity_fen=v * 1000),
            aggregate_type="GuarantorCapacity",
            aggregate_id="g-1",
            aggregate_version=v,
            occurred_at=datetime.now(UTC),
            correlation_id="test",
        )
        for v in (1, 2, 3)
    ]
    gaps, ignored = metrics.VERSION_GAPS._value.get(), metrics.EVENTS_IGNORED._value.get()
    async with _agent(app, "apply_credit_events").test_context() as agent:
        for e in [settings[0], *history[:15], settings[1], *history[15:], settings[2]]:
            await agent.put(e.SerializeToString(), key=e.aggregate_id.encode())
    table = app.tables["credit-aggregate-state"]
    assert "g-1" not in table
    assert {k: json.loads(v)["version"] for k, v in table.items()} == {
        e.aggregate_id: e.aggregate_version for e in history
    }
    assert metrics.VERSION_GAPS._value.get() == gaps
    assert metrics.EVENTS_IGNORED._value.get() >= ignored + 3


async def test_agents_release_each_message_after_applying_it(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only released messages' offsets become committable on the agents' topics."""
    from g60_aggregator.adapters.faust_acks import release_required
    from g60_aggregator.entrypoints import app as app_module

    released: list[int] = []
    monkeypatch.setattr(app_module, "mark_released", lambda m: released.append(m.offset))
    history = SyntheticHistory(7, banks=2, enterprises=5).events(30)
    async with _agent(app, "apply_credit_events").test_context() as agent:
        for e in history:
            await agent.put(e.SerializeToString(), key=e.aggregate_id.encode())
    assert len(released) == len(history)
    assert {TOPIC_CREDIT_EVENTS, f"{app.conf.id}-enterprise-served"} <= release_required(app)
