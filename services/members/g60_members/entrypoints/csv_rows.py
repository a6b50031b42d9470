"""CSV rows of the bulk import into registration requests.

Files are UTF-8 (a byte-order mark from Excel is accepted) with a header row. Each
row gets a request id derived from its kind and USCC, so re-running an import
replays instead of registering twice.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from g60.members.v1 import members_pb2
from g60common.money import parse_fen
from g60common.uscc import normalize_uscc

MAX_ROWS = 1_000_000
DESIGNATION_SEPARATOR = ";"

MEMBER_COLUMNS = ("name", "short_name", "institution_type", "home_city", "uscc", "contact")
ENTERPRISE_COLUMNS = (
    "name",
    "uscc",
    "city",
    "region_code",
    "industry",
    "industry_code",
    "size_class",
    "designations",
    "registered_capital_fen",
    "contact",
)
OPTIONAL = frozenset({"short_name", "contact", "region_code", "industry_code", "designations"})
COLUMNS = {"members": MEMBER_COLUMNS, "enterprises": ENTERPRISE_COLUMNS}

Request = members_pb2.RegisterMemberRequest | members_pb2.RegisterEnterpriseRequest


class BadFile(Exception):
    """The file as a whole cannot be imported (missing columns, too many rows)."""


@dataclass(frozen=True)
class Row:
    line: int
    request: Request | None
    error: str = ""  # set when the row could not even be turned into a request


def request_id_for(kind: str, uscc: str) -> str:
    return f"csv-import:{kind}:{normalize_uscc(uscc)}"[:128]


def read_rows(path: Path, kind: str) -> Iterator[Row]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        _check_header(reader.fieldnames, kind)
        for count, record in enumerate(reader, start=1):
            if count > MAX_ROWS:
                raise BadFile(f"more than {MAX_ROWS} rows; split the file")
            yield _row(reader.line_num, kind, record)


def _check_header(fieldnames: Sequence[str] | None, kind: str) -> None:
    present = {name.strip() for name in fieldnames or ()}
    missing = [c for c in COLUMNS[kind] if c not in present and c not in OPTIONAL]
    if missing:
        raise BadFile(f"missing columns: {', '.join(missing)}")


def _row(line: int, kind: str, record: dict[str | None, str | list[str] | None]) -> Row:
    if None in record:
        return Row(line, None, "more values than header columns")
    values = {str(k).strip(): (v or "").strip() for k, v in record.items() if isinstance(v, str)}
    if kind == "members":
        return Row(line, member_request(values))
    try:
        return Row(line, enterprise_request(values))
    except ValueError as exc:
        return Row(line, None, str(exc))


def member_request(values: dict[str, str]) -> members_pb2.RegisterMemberRequest:
    return members_pb2.RegisterMemberRequest(
        request_id=request_id_for("members", values.get("uscc", "")),
        **{column: values.get(column, "") for column in MEMBER_COLUMNS},
    )


def enterprise_request(values: dict[str, str]) -> members_pb2.RegisterEnterpriseRequest:
    """Raises ValueError, naming the column, when registered_capital_fen is not whole
    fen within int64."""
    # The shared parser: ASCII digits within int64 (int() would also read "１２３",
    # "+12" and "1_000"); its errors name the column.
    capital_fen = parse_fen(
        values.get("registered_capital_fen", "") or "0",
        field="registered_capital_fen",
        allow_zero=True,
    )
    designations = values.get("designations", "").split(DESIGNATION_SEPARATOR)
    return members_pb2.RegisterEnterpriseRequest(
        request_id=request_id_for("enterprises", values.get("uscc", "")),
        name=values.get("name", ""),
        uscc=values.get("uscc", ""),
        city=values.get("city", ""),
        region_code=values.get("region_code", ""),
        industry=values.get("industry", ""),
        industry_code=values.get("industry_code", ""),
        size_class=values.get("size_class", ""),
        designations=[d.strip() for d in designations if d.strip()],
        registered_capital_fen=capital_fen,
        contact=values.get("contact", ""),
    )
