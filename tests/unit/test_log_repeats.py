"""Repeated log lines are held back, counted, and reported (g60common.logs.RepeatLimiter)."""

from __future__ import annotations

import logging

import pytest
from g60common.logs import RepeatLimiter, limit_repeats


class _Clock:
    def __init__(self) -> None:
        self.now_s = 100.0

    def __call__(self) -> float:
        return self.now_s


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def clock() -> _Clock:
    return _Clock()


@pytest.fixture
def logged(clock: _Clock) -> tuple[logging.Logger, _Collect]:
    logger = logging.getLogger("test.repeats")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    collect = _Collect()
    collect.addFilter(RepeatLimiter(window_s=10.0, max_keys=4, clock=clock))
    logger.handlers[:] = [collect]
    return logger, collect


def test_a_burst_of_one_line_is_logged_once(logged: tuple[logging.Logger, _Collect]) -> None:
    logger, collect = logged
    for _ in range(500):
        logger.error("Unable connect to node with id %s", 1)
    assert collect.lines == ["Unable connect to node with id 1"]


def test_the_next_window_reports_how_many_were_held_back(
    logged: tuple[logging.Logger, _Collect], clock: _Clock
) -> None:
    logger, collect = logged
    for _ in range(3):
        logger.error("metadata failed")
    clock.now_s += 10.0
    logger.error("metadata failed")
    logger.error("metadata failed")
    assert collect.lines == [
        "metadata failed",
        "metadata failed (2 more like this in the previous 10 s, not logged)",
    ]


def test_a_line_after_a_quiet_window_carries_no_count(
    logged: tuple[logging.Logger, _Collect], clock: _Clock
) -> None:
    logger, collect = logged
    logger.warning("coordinator dead")
    clock.now_s += 60.0
    logger.warning("coordinator dead")
    assert collect.lines == ["coordinator dead", "coordinator dead"]


def test_other_messages_levels_and_loggers_are_never_held_back(
    logged: tuple[logging.Logger, _Collect],
) -> None:
    logger, collect = logged
    logger.error("fetch failed from %s", 1)
    logger.error("fetch failed from %s", 2)
    logger.warning("fetch failed from %s", 1)
    logging.getLogger("test.repeats.child").error("fetch failed from %s", 1)
    assert (
        collect.lines
        == ["fetch failed from 1", "fetch failed from 2"] + ["fetch failed from 1"] * 2
    )


def test_memory_stays_bounded_with_ever_new_messages(
    logged: tuple[logging.Logger, _Collect], clock: _Clock
) -> None:
    logger, collect = logged
    for n in range(50):
        logger.error("distinct %s", n)
    assert len(collect.lines) == 50
    limiter = collect.filters[0]
    assert isinstance(limiter, RepeatLimiter)
    assert len(limiter._windows) <= 4
    # Closed windows are forgotten first; an open one still holds its line back.
    clock.now_s += 11.0
    logger.error("again")
    logger.error("again")
    assert collect.lines[-1] == "again" and collect.lines.count("again") == 1


def test_limit_repeats_gives_each_handler_of_a_logger_its_own_limiter() -> None:
    # One limiter shared by two handlers would see each record twice and hold it back
    # from the second.
    logger = logging.getLogger("test.repeats.handlers")
    logger.propagate = False
    first, second = _Collect(), _Collect()
    logger.handlers[:] = [first, second]
    limit_repeats(logger)
    for _ in range(5):
        logger.error("broker down")
    assert first.lines == second.lines == ["broker down"]


def test_each_handler_counts_the_original_message(clock: _Clock) -> None:
    logger = logging.getLogger("test.repeats.counted")
    logger.propagate = False
    first, second = _Collect(), _Collect()
    for handler in (first, second):
        handler.addFilter(RepeatLimiter(window_s=10.0, clock=clock))
    logger.handlers[:] = [first, second]
    logger.error("broker down")
    logger.error("broker down")
    clock.now_s += 10.0
    logger.error("broker down")
    logger.error("broker down")
    expected = ["broker down", "broker down (1 more like this in the previous 10 s, not logged)"]
    assert first.lines == second.lines == expected


def test_a_counted_line_keeps_percent_signs_and_formats_anywhere(clock: _Clock) -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "at %s%%", ("100",), None)
    limiter = RepeatLimiter(window_s=10.0, clock=clock)
    assert limiter.filter(record)
    again = logging.LogRecord("x", logging.ERROR, __file__, 1, "at %s%%", ("100",), None)
    assert not limiter.filter(again)
    clock.now_s += 10.0
    last = logging.LogRecord("x", logging.ERROR, __file__, 1, "at %s%%", ("100",), None)
    assert limiter.filter(last)
    # Formatters that re-apply args (Faust's turns None into (None,)) get nothing to apply.
    assert last.args == ()
    assert last.getMessage() == "at 100% (1 more like this in the previous 10 s, not logged)"
