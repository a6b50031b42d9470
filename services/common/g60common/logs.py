"""Structured logging: JSON lines in production, readable lines locally.
Every record carries the correlation id of the request being served."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from g60common.correlation import current_correlation_id


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "correlation_id": current_correlation_id(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _ReadableFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        record.correlation_id = current_correlation_id() or "-"
        return super().format(record)


# While the Kafka broker is down, every aiokafka client in a process logs the same few
# lines (connect failed, metadata, fetch, coordinator) 10-100+ times a second each.
REPEAT_WINDOW_S = 10.0
MAX_REPEAT_KEYS = 1024


class RepeatLimiter(logging.Filter):
    """Lets the first record of each (logger, level, message) through, then at most one
    per `window_s`. The first one through after a window says how many were held back,
    so the count is not lost; a record with another message is never held back."""

    def __init__(
        self,
        window_s: float = REPEAT_WINDOW_S,
        max_keys: int = MAX_REPEAT_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._window_s = window_s
        self._max_keys = max_keys
        self._clock = clock
        self._lock = threading.Lock()  # handlers call filters outside their own lock
        # key -> [when the current window opened, records held back in it]
        self._windows: dict[tuple[str, int, str], list[float]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        # Another handler's limiter may have added its count to the message already.
        key: tuple[str, int, str] = getattr(record, "g60_repeat_key", None) or (
            record.name,
            record.levelno,
            record.getMessage(),
        )
        record.g60_repeat_key = key
        message = key[2]
        now = self._clock()
        with self._lock:
            window = self._windows.get(key)
            if window is not None and now - window[0] < self._window_s:
                window[1] += 1
                return False
            if window is None and len(self._windows) >= self._max_keys:
                self._forget_closed_windows(now)
            self._windows[key] = [now, 0]
        held_back = int(window[1]) if window is not None else 0
        if held_back:
            record.msg = (
                f"{message} ({held_back} more like this in the previous "
                f"{self._window_s:g} s, not logged)"
            )
            # Empty, not None: Faust's formatter (mode) turns None into (None,).
            record.args = ()
        return True

    def _forget_closed_windows(self, now: float) -> None:
        closed = [k for k, w in self._windows.items() if now - w[0] >= self._window_s]
        for key in closed:
            del self._windows[key]
        if len(self._windows) >= self._max_keys:
            # Ever more distinct messages: the memory bound wins over the count.
            self._windows.clear()


def limit_repeats(logger: logging.Logger) -> None:
    """A limiter on every handler of `logger`, for frameworks that set up the root
    logger themselves (Faust's worker). One each: a limiter shared by two handlers
    would see every record twice and hold it back from the second."""
    for handler in logger.handlers:
        handler.addFilter(RepeatLimiter())


def configure_logging(service: str, *, json_lines: bool, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RepeatLimiter())
    if json_lines:
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(
            _ReadableFormatter(
                f"%(asctime)s {service} %(levelname)s %(name)s [%(correlation_id)s] %(message)s"
            )
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiokafka logs every coordinator hiccup at INFO/WARNING; keep the signal.
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
