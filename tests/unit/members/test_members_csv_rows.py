"""CSV rows into registration requests, before any network call."""

from __future__ import annotations

from pathlib import Path

import pytest
from g60.members.v1 import members_pb2
from g60_members.entrypoints.csv_rows import ENTERPRISE_COLUMNS, BadFile, read_rows, request_id_for


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rows.csv"
    path.write_text(text, encoding="utf-8-sig")  # with a BOM, as Excel saves it
    return path


def test_member_rows_keep_chinese_names_and_get_a_uscc_request_id(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "name,short_name,institution_type,home_city,uscc,contact\n"
        "合肥科技农村商业银行,合肥科农行,BANK,340100, 91350100m000100y43 ,\n",
    )
    [row] = list(read_rows(path, "members"))
    assert row.line == 2 and row.request is not None
    assert row.request.name == "合肥科技农村商业银行"
    assert row.request.request_id == "csv-import:members:91350100M000100Y43"


def test_enterprise_rows_split_designations_and_report_bad_capital(tmp_path: Path) -> None:
    header = ",".join(ENTERPRISE_COLUMNS)
    uscc = "91350100M000100Y43"
    path = write(
        tmp_path,
        f"{header}\n"
        f"芜湖量子,{uscc},340200,,QUANTUM_COMMUNICATION,,SMALL,HIGH_TECH; TECH_SME,100\n"
        f"坏行,{uscc},340200,,NEW_MATERIALS,,SMALL,,一百\n",
    )
    good, bad = read_rows(path, "enterprises")
    assert isinstance(good.request, members_pb2.RegisterEnterpriseRequest)
    assert list(good.request.designations) == ["HIGH_TECH", "TECH_SME"]
    assert (bad.line, bad.request) == (3, None)
    assert bad.error.startswith("registered_capital_fen:")


def test_extra_values_are_a_row_error(tmp_path: Path) -> None:
    path = write(tmp_path, "name,institution_type,home_city,uscc\n甲,BANK,340100,X,extra\n")
    [row] = list(read_rows(path, "members"))
    assert row.request is None and "more values" in row.error


def test_missing_required_columns_refuse_the_file(tmp_path: Path) -> None:
    with pytest.raises(BadFile, match="uscc"):
        list(read_rows(write(tmp_path, "name,institution_type,home_city\n"), "members"))


def test_request_ids_are_stable_across_runs() -> None:
    assert request_id_for("enterprises", " 91350100m000100y43") == request_id_for(
        "enterprises", "91350100M000100Y43"
    )


@pytest.mark.parametrize("capital", ["１２３", "+12", "1_000", "1e3", "-5", "99999999999999999999"])
def test_capital_is_whole_ascii_fen_within_int64(tmp_path: Path, capital: str) -> None:
    header = ",".join(ENTERPRISE_COLUMNS)
    path = write(
        tmp_path,
        f"{header}\n坏行,91350100M000100Y43,340200,,NEW_MATERIALS,,SMALL,,{capital}\n",
    )
    [row] = list(read_rows(path, "enterprises"))
    assert row.request is None and row.error.startswith("registered_capital_fen:")


def test_an_enterprise_row_may_carry_its_contact(tmp_path: Path) -> None:
    header = ",".join(ENTERPRISE_COLUMNS)
    path = write(
        tmp_path,
        f"{header}\n芜湖量子,91350100M000100Y43,340200,,NEW_MATERIALS,,SMALL,,0,李经理\n",
    )
    [row] = list(read_rows(path, "enterprises"))
    assert isinstance(row.request, members_pb2.RegisterEnterpriseRequest)
    assert row.request.contact == "李经理"
