"""The guards every gRPC method runs behind: NUL characters are refused by field, and
an unexpected exception is answered INTERNAL without its text."""

from __future__ import annotations

from typing import Any, NoReturn

import grpc
import pytest
from g60.credit.v1 import credit_pb2
from g60common.grpc_server import NUL_MESSAGE, _guarded, fields_with_nul
from google.protobuf import struct_pb2
from google.rpc import error_details_pb2


class _Context:
    """Records the abort the way grpc.aio's context does: it raises AbortError."""

    def __init__(self) -> None:
        self.aborted: tuple[Any, ...] = ()

    async def abort(self, code: grpc.StatusCode, details: str) -> NoReturn:
        self.aborted = (code, details)
        raise grpc.aio.AbortError()

    async def abort_with_status(self, status: grpc.Status) -> NoReturn:
        self.aborted = (status.code, status.details)
        raise grpc.aio.AbortError()


def test_a_clean_request_has_no_nul_fields() -> None:
    assert fields_with_nul(credit_pb2.RegisterCreditLineRequest(request_id="r", limit_fen=1)) == {}


def test_nul_characters_are_found_at_any_depth_by_path() -> None:
    bad = error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field="ok", description="fine"),
            error_details_pb2.BadRequest.FieldViolation(field="x\x00", description="fine"),
        ]
    )
    assert fields_with_nul(bad) == {"field_violations[1].field": NUL_MESSAGE}
    struct = struct_pb2.Struct()
    struct.fields["k\x00"].string_value = "v"
    struct.fields["k"].string_value = "v\x00"
    assert set(fields_with_nul(struct)) == {
        "fields",
        "fields['k'].string_value",
    }


async def test_a_nul_character_is_refused_before_the_handler_runs() -> None:
    context, called = _Context(), []

    async def handler(request: Any, _: Any) -> str:
        called.append(request)
        return "done"

    with pytest.raises(grpc.aio.AbortError):
        await _guarded(
            "Register", handler, credit_pb2.RegisterCreditLineRequest(request_id="\x00"), context
        )
    assert called == [] and context.aborted[0] == grpc.StatusCode.INVALID_ARGUMENT


async def test_an_unexpected_error_is_internal_without_its_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    context = _Context()

    async def handler(_: Any, __: Any) -> str:
        raise ValueError("invalid input for query argument $3: secret row data")

    with pytest.raises(grpc.aio.AbortError):
        await _guarded("Register", handler, credit_pb2.RegisterCreditLineRequest(), context)
    code, details = context.aborted
    assert code == grpc.StatusCode.INTERNAL
    assert "secret" not in details and "ValueError" not in details
    assert "correlation id" in details
    assert "secret row data" in caplog.text  # the operator still sees it in the log


async def test_a_handlers_own_abort_passes_through() -> None:
    context = _Context()

    async def handler(_: Any, ctx: _Context) -> str:
        await ctx.abort(grpc.StatusCode.NOT_FOUND, "credit line not found")

    with pytest.raises(grpc.aio.AbortError):
        await _guarded("Get", handler, credit_pb2.GetCreditLineRequest(), context)
    assert context.aborted == (grpc.StatusCode.NOT_FOUND, "credit line not found")
