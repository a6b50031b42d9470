"""Gateway HTTP edges without any network: proto -> JSON mapping, the body limit for
chunked uploads, strict bodies, numeric page tokens, client correlation ids and the
totals dimensions."""

from __future__ import annotations

import asyncio
from typing import Any, get_args

import pytest
from g60.credit.v1 import credit_pb2
from g60_aggregator.domain.totals import DIMENSIONS
from g60_gateway.adapters.proto_json import to_json
from g60_gateway.entrypoints import bodies
from g60_gateway.entrypoints.body_limit import BodyLimitMiddleware
from g60_gateway.entrypoints.observe import client_correlation_id
from g60_gateway.entrypoints.paging import int_page_token
from g60_gateway.entrypoints.problems import Problem
from g60_gateway.entrypoints.routes import TotalsDimension
from pydantic import ValidationError


def test_int64_stays_an_integer_and_nested_messages_map() -> None:
    reply = credit_pb2.MoveFundsResponse(
        amount_fen=5, credit_line=credit_pb2.CreditLine(limit_fen=2**62)
    )
    mapped = to_json(reply)
    assert mapped["credit_line"]["limit_fen"] == 2**62
    assert mapped["application"] is None


async def _run(middleware: BodyLimitMiddleware, chunks: list[bytes], headers: Any) -> list[Any]:
    sent: list[Any] = []
    queue = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]

    async def receive() -> Any:
        return queue.pop(0)

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/x", "headers": headers}
    await middleware(scope, receive, send)
    return sent


async def _echo(scope: Any, receive: Any, send: Any) -> None:
    body = (await receive())["body"]
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def test_chunked_body_over_the_limit_is_413() -> None:
    sent = asyncio.run(_run(BodyLimitMiddleware(_echo, 10), [b"123456", b"789012"], []))
    assert sent[0]["status"] == 413


def test_chunked_body_within_the_limit_reaches_the_app_whole() -> None:
    sent = asyncio.run(_run(BodyLimitMiddleware(_echo, 10), [b"12345", b"67890"], []))
    assert sent[0]["status"] == 200 and sent[1]["body"] == b"1234567890"


def test_declared_length_over_the_limit_is_413() -> None:
    sent = asyncio.run(_run(BodyLimitMiddleware(_echo, 10), [b""], [(b"content-length", b"11")]))
    assert sent[0]["status"] == 413


@pytest.mark.parametrize("amount", [0, -1, 2**63, 1e3, 12.5, "1e3", "12.5", True, None])
def test_bad_amounts_are_refused(amount: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        bodies.MoveFundsBody.model_validate({"amount_fen": amount})
    assert caught.value.errors()[0]["loc"] == ("amount_fen",)


def test_amount_as_decimal_string_is_accepted() -> None:
    assert bodies.MoveFundsBody.model_validate({"amount_fen": "1500"}).amount_fen == 1500


def test_unknown_fields_and_control_characters_are_refused() -> None:
    with pytest.raises(ValidationError):
        bodies.ReasonBody.model_validate({"reason": "x", "extra": 1})
    with pytest.raises(ValidationError):
        bodies.ReasonBody.model_validate({"reason": "nul\x00inside"})
    assert bodies.ReasonBody.model_validate({"reason": "line\nbreak"}).reason == "line\nbreak"


def test_a_content_length_of_thousands_of_digits_is_413_not_a_crash() -> None:
    # int() refuses more than 4300 digits; the middleware must not ask it to.
    headers = [(b"content-length", b"9" * 5000)]
    sent = asyncio.run(_run(BodyLimitMiddleware(_echo, 10), [b""], headers))
    assert sent[0]["status"] == 413


@pytest.mark.parametrize("token", ["", "0", "42", str(2**63 - 1)])
def test_numeric_page_tokens_are_ascii_digits_within_int64(token: str) -> None:
    assert int_page_token(token) == int(token or 0)


@pytest.mark.parametrize(
    "token", ["\u00b2", "\u0661\u0662", "\uff11", str(2**63), "9" * 5000, "-1", "+1", " 1", "1\n"]
)
def test_other_page_tokens_are_422_naming_page_token(token: str) -> None:
    with pytest.raises(Problem) as caught:
        int_page_token(token)
    assert (caught.value.status, caught.value.errors[0]["field"]) == (422, "page_token")


@pytest.mark.parametrize(
    "offered", [b"caf\xc3\xa9", b"tab\there", b"nul\x00", b"del\x7f", b"x" * 129, b""]
)
def test_a_correlation_id_grpc_cannot_carry_is_replaced(offered: bytes) -> None:
    assert client_correlation_id(offered) is None  # the request gets a fresh id


@pytest.mark.parametrize("offered", [b"corr-123", b"order 42/retry", b"x" * 128])
def test_a_printable_ascii_correlation_id_is_kept(offered: bytes) -> None:
    assert client_correlation_id(offered) == offered.decode()


def test_the_gateway_knows_exactly_the_aggregators_dimensions() -> None:
    assert get_args(TotalsDimension) == DIMENSIONS
