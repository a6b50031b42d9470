"""Upstream errors map to problems consistently."""

from __future__ import annotations

import httpx
from g60_gateway.entrypoints.problems import _body_field, problem_from_http


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
