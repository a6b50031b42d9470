"""Gateway HTTP edges without any network: proto -> JSON mapping, the body limit for
chunked uploads, strict bodies and the problem format."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from g60.credit.v1 import credit_pb2
from g60_gateway.adapters.proto_json import to_json
from g60_gateway.entrypoints import bodies
from g60_gateway.entrypoints.body_limit import BodyLimitMiddleware
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
