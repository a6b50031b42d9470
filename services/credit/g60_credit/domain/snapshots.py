"""Plain-dict snapshots of credit lines, stored as idempotent responses."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from g60_credit.domain.model import CreditLine, CreditLineStatus, Product


def line_snapshot(line: CreditLine) -> dict[str, Any]:
    data = asdict(line)
    data["valid_from"] = line.valid_from.isoformat()
    data["valid_to"] = line.valid_to.isoformat()
    return data


def line_from_snapshot(data: dict[str, Any]) -> CreditLine:
    return CreditLine(
        **{
            **data,
            "product": Product(data["product"]),
            "status": CreditLineStatus(data["status"]),
            "valid_from": date.fromisoformat(data["valid_from"]),
            "valid_to": date.fromisoformat(data["valid_to"]),
        }
    )
