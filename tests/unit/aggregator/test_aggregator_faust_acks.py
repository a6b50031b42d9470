"""Acks that must not move committed offsets (g60_aggregator.adapters.faust_acks)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import faust
import pytest
from faust.types import TP
from faust.types.tuples import Message
from g60_aggregator.adapters.faust_acks import (
    install_generation_ack_guard,
    mark_released,
    require_release,
)

SOURCE = TP("g60.credit.events.v1", 0)


@pytest.fixture
def consumer() -> Iterator[Any]:
    app = faust.App("ack-guard-test", broker="kafka://127.0.0.1:1", web_enabled=False)
    app.topics._acking_topics.add(SOURCE.topic)  # as once an agent subscribes
    app.consumer_generation_id = 2  # a rebalance has happened: generation 1 is over
    yield app.consumer


def _message(offset: int, generation: int | None) -> Message:
    return Message(
        SOURCE.topic, SOURCE.partition, offset, 0.0, 0, [], b"k", b"v", None,
        tp=SOURCE, generation_id=generation,
    )  # fmt: skip


def test_faust_commits_past_a_hole_when_nothing_was_committed_yet(consumer: Any) -> None:
    """Why the guard exists: offsets 0-99 were never applied, yet the commit would be 110."""
    consumer._acked[SOURCE] = list(range(100, 110))
    consumer._acked_index[SOURCE] = set(range(100, 110))
    assert consumer._committed_offset[SOURCE] is None
    assert consumer._new_offset(SOURCE) == 110


def test_faust_commits_past_one_missing_offset_even_after_a_commit(consumer: Any) -> None:
    """Why no message may be dropped without an ack (faust_seeks point 2): with 120
    committed and 121-129 acked, 120 itself (never applied) is committed past."""
    consumer._committed_offset[SOURCE] = 120
    consumer._acked[SOURCE] = list(range(121, 130))
    consumer._acked_index[SOURCE] = set(range(121, 130))
    assert consumer._new_offset(SOURCE) == 130


def test_stale_generation_acks_are_not_recorded(consumer: Any) -> None:
    install_generation_ack_guard()
    stale = [_message(offset, generation=1) for offset in range(100, 110)]
    for message in stale:
        consumer.track_message(message)
        assert consumer.ack(message) is False
    assert all(m.acked for m in stale)  # nobody waits for them on shutdown or rebalance
    assert not consumer._unacked_messages
    assert list(consumer._acked[SOURCE]) == []
    assert consumer._new_offset(SOURCE) is None


def test_current_generation_and_untracked_messages_ack_as_before(consumer: Any) -> None:
    install_generation_ack_guard()
    install_generation_ack_guard()  # idempotent
    for offset in range(3):
        assert consumer.ack(_message(offset, generation=2)) is True
    assert consumer.ack(_message(3, generation=None)) is True  # test transports
    assert consumer._new_offset(SOURCE) == 4


def test_on_guarded_topics_only_released_messages_record_their_offset(consumer: Any) -> None:
    """Faust acks messages it skips while flow is suspended in a rebalance, in the
    current generation; the agent never applied them, so they must not be committable."""
    install_generation_ack_guard()
    require_release(consumer.app, [SOURCE.topic])
    applied = [_message(offset, generation=2) for offset in range(3)]
    skipped = [_message(offset, generation=2) for offset in range(3, 6)]
    for message in applied:
        mark_released(message)
    for message in [*applied, *skipped]:
        consumer.track_message(message)
    assert [consumer.ack(m) for m in applied] == [True] * 3
    assert [consumer.ack(m) for m in skipped] == [False] * 3
    assert all(m.acked for m in skipped) and not consumer._unacked_messages
    assert consumer._new_offset(SOURCE) == 3  # never past the skipped messages
    # A message read again after the seek is a new object, unreleased until applied.
    again = _message(3, generation=2)
    assert consumer.ack(again) is False
    again = _message(3, generation=2)
    mark_released(again)
    assert consumer.ack(again) is True


def test_other_topics_ack_as_before_when_some_are_guarded(consumer: Any) -> None:
    install_generation_ack_guard()
    require_release(consumer.app, ["another-topic"])
    assert consumer.ack(_message(0, generation=2)) is True  # SOURCE is not guarded
    assert consumer._new_offset(SOURCE) == 1
