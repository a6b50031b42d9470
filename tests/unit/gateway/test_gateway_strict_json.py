"""Request bodies mean one thing: a repeated JSON key is refused at any depth, through
the route class every API route uses. Unexpected exceptions answer problem+json
without their text. No network: an in-process app."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from g60_gateway.entrypoints import bodies
from g60_gateway.entrypoints.deps import GatewayRoute
from g60_gateway.entrypoints.problems import install_problem_handlers
from g60_gateway.entrypoints.strict_json import DuplicateJsonKey, loads_strict


def _app() -> FastAPI:
    router = APIRouter(route_class=GatewayRoute)

    @router.post("/funds")
    async def move_funds(body: bodies.MoveFundsBody) -> dict[str, int]:
        return {"amount_fen": body.amount_fen}

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("invalid input for query argument $3: 'secret'")

    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(router)
    return app


def _send(method: str, path: str, content: str = "") -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            headers = {"content-type": "application/json"}
            return await client.request(method, path, content=content, headers=headers)

    return asyncio.run(send())


def _post(content: str) -> httpx.Response:
    return _send("POST", "/funds", content)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('{"amount_fen": 1, "amount_fen": 999}', "amount_fen"),
        ('{"a": {"b": 1, "b": 1}}', "b"),
        ('[{"x": 1}, {"y": 2, "y": 2}]', "y"),
    ],
)
def test_a_repeated_key_is_refused_at_any_depth(text: str, key: str) -> None:
    with pytest.raises(DuplicateJsonKey) as caught:
        loads_strict(text.encode())
    assert caught.value.key == key


def test_distinct_keys_parse_as_usual() -> None:
    assert loads_strict(b'{"a": {"b": 1}, "c": [{"b": 2}]}') == {"a": {"b": 1}, "c": [{"b": 2}]}


def test_a_body_with_a_repeated_key_is_400_naming_the_key() -> None:
    reply = _post('{"amount_fen": 1, "amount_fen": 999}')
    assert reply.status_code == 400, reply.text
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.json()["errors"] == [
        {"field": "amount_fen", "detail": "appears more than once in a JSON object"}
    ]


def test_the_same_body_without_the_repeat_is_taken() -> None:
    reply = _post('{"amount_fen": 999}')
    assert (reply.status_code, reply.json()) == (200, {"amount_fen": 999})


def test_an_unexpected_exception_is_a_500_problem_without_its_text() -> None:
    reply = _send("GET", "/boom")
    assert reply.status_code == 500
    assert reply.headers["content-type"] == "application/problem+json"
    assert "secret" not in reply.text and "$3" not in reply.text


@pytest.mark.parametrize(
    "text", ["{", '{"amount_fen": 1} trailing garbage', '{"amount_fen": }', "[1,]"]
)
def test_a_body_json_cannot_parse_is_400_naming_body_not_a_position(text: str) -> None:
    """FastAPI locates a JSON syntax error at a character position (`["body", 1]`),
    which is no field; the gateway names the body, as for any parser failure."""
    reply = _post(text)
    assert reply.status_code == 400, reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in reply.json()["errors"]] == ["body"]
    assert "not valid JSON" in reply.json()["detail"]
