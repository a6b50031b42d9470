"""Upstream errors map to problems consistently."""

from __future__ import annotations

import grpc
import httpx
import pytest
from g60_gateway.entrypoints.problems import (
    _body_field,
    problem_body,
    problem_from_grpc,
    problem_from_http,
)
from g60common.correlation import set_correlation_id
from g60common.grpc_errors import error_info_status
from google.rpc import code_pb2


def _status_error(status: int, body: bytes) -> httpx.HTTPStatusError:
    request = httpx.Request("GET", "http://aggregator/v1/totals")
    response = httpx.Response(status, content=body, request=request)
    return httpx.HTTPStatusError("upstream", request=request, response=response)


def test_aggregator_refusal_is_passed_on_as_a_4xx() -> None:
    problem = problem_from_http(_status_error(400, b'{"detail": "unknown dimension"}'))
    assert (problem.status, problem.detail) == (400, "unknown dimension")


def test_aggregator_failure_is_502_and_unreachable_is_503() -> None:
    assert problem_from_http(_status_error(500, b"boom")).status == 502
    request = httpx.Request("GET", "http://aggregator/v1/totals")
    assert problem_from_http(httpx.ConnectError("refused", request=request)).status == 503


def test_nested_update_fields_are_named_as_in_the_json_body() -> None:
    assert _body_field("enterprise.designations") == "designations"
    assert _body_field("member.name") == "name"
    assert _body_field("limit_fen") == "limit_fen"


def _rpc_error(code: grpc.StatusCode, details: str) -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), details=details)


LEAKY = "Unexpected <class 'asyncpg.exceptions.DataError'>: invalid input for query argument $3"


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (grpc.StatusCode.UNKNOWN, 502),
        (grpc.StatusCode.INTERNAL, 502),
        (grpc.StatusCode.DATA_LOSS, 502),
        (grpc.StatusCode.UNAVAILABLE, 503),
        (grpc.StatusCode.DEADLINE_EXCEEDED, 504),
    ],
)
def test_a_5xx_logs_the_upstream_text_and_never_answers_it(
    code: grpc.StatusCode, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    set_correlation_id("corr-5xx")
    problem = problem_from_grpc(_rpc_error(code, LEAKY))
    assert problem.status == status and problem.errors == []
    assert "asyncpg" not in problem.detail and "$3" not in problem.detail
    assert "corr-5xx" in problem.detail  # what the client quotes when reporting it
    assert any(LEAKY in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (grpc.StatusCode.INVALID_ARGUMENT, 422),
        (grpc.StatusCode.NOT_FOUND, 404),
        (grpc.StatusCode.FAILED_PRECONDITION, 409),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, 429),
    ],
)
def test_a_4xx_keeps_the_services_detail(code: grpc.StatusCode, status: int) -> None:
    problem = problem_from_grpc(_rpc_error(code, "credit line is FROZEN"))
    assert (problem.status, problem.detail) == (status, "credit line is FROZEN")


def test_aggregator_failure_detail_is_generic() -> None:
    problem = problem_from_http(_status_error(500, b"Traceback: KeyError 'secret'"))
    assert "Traceback" not in problem.detail and "HTTPStatusError" not in problem.detail


def _stale_version() -> grpc.aio.AioRpcError:
    """What the members service answers for a stale expected_version."""
    details = "3f1c… is at version 3, not the expected 2; re-read and retry"
    status = error_info_status(code_pb2.ABORTED, details, "STALE_VERSION")
    trailing = grpc.aio.Metadata(*status.trailing_metadata)
    return grpc.aio.AioRpcError(
        grpc.StatusCode.ABORTED, grpc.aio.Metadata(), trailing, details=details
    )


def test_a_stale_version_is_409_naming_expected_version() -> None:
    problem = problem_from_grpc(_stale_version())
    assert problem.status == 409
    assert [e["field"] for e in problem.errors] == ["expected_version"]
    assert "re-read and retry" in problem.errors[0]["detail"]


def test_a_broken_rule_is_named_in_code_for_clients_to_branch_on() -> None:
    details = "the loan matured on 2027-05-31"
    status = error_info_status(code_pb2.FAILED_PRECONDITION, details, "LoanMatured")
    error = grpc.aio.AioRpcError(
        grpc.StatusCode.FAILED_PRECONDITION,
        grpc.aio.Metadata(),
        grpc.aio.Metadata(*status.trailing_metadata),
        details=details,
    )
    body = problem_body(problem_from_grpc(error))
    assert (body["status"], body["code"], body["detail"]) == (409, "LoanMatured", details)
    assert "code" not in problem_body(problem_from_grpc(_rpc_error(grpc.StatusCode.NOT_FOUND, "")))
