"""Structured logging: JSON lines in production, readable lines locally.
Every record carries the correlation id of the request being served."""

from __future__ import annotations

import json
import logging
import sys
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


def configure_logging(service: str, *, json_lines: bool, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
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
