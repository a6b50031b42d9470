"""Run a POST at most once per (credential, Idempotency-Key); replays get the stored
status and body byte for byte, marked with `Idempotent-Replayed: true`."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import grpc
from fastapi import Request, Response
from pydantic import BaseModel

from g60_gateway.adapters import idempotency
from g60_gateway.adapters.database import DatabaseUnavailable, RequestPool
from g60_gateway.domain.principals import Principal
from g60_gateway.domain.rate_limit import retry_after_header_s
from g60_gateway.entrypoints.problems import (
    PROBLEM_JSON,
    Problem,
    field_problem,
    problem_body,
    problem_from_grpc,
)

# Responses a client should be able to retry with the same key are not stored.
_NOT_STORED = frozenset({408, 409, 429})
# Giving a claim up is worth a short wait, not the whole database deadline: when the
# database is what failed, the release fails too, and the answer should not wait for it.
RELEASE_BOUND_S = 1.0
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HeldClaim:
    """What authentication already did about this request's Idempotency-Key."""

    key_id: str
    key: str
    print_: bytes
    mine: bool


def lease_s(deadline_s: float) -> float:
    """How long a claim protects an unfinished request before a retry may take over."""
    return 3 * deadline_s


async def request_fingerprint(request: Request) -> bytes:
    """Method, path and the body as canonical JSON: key order and spacing do not
    matter, any other difference does. A body that is not JSON is taken byte for byte
    (on routes with a body model it fails validation before anything runs)."""
    try:
        # request.json() keeps the parse FastAPI made for the body model: one parse.
        canonical = json.dumps(
            await request.json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except (ValueError, RecursionError):
        canonical = await request.body()
    return idempotency.fingerprint(request.method, request.url.path, canonical)


async def release_untaken_claim(request: Request) -> None:
    """Release the claim authentication made, if `run_idempotent` never took it over
    (a refused caller type, the rate limit, a bad body, any error)."""
    held: HeldClaim | None = getattr(request.state, "claim", None)
    if held is not None and held.mine:
        request.state.claim = None
        await release_claim(request.app.state.pool, held.key_id, held.key)


async def release_claim(pool: RequestPool, key_id: str, key: str) -> None:
    """Give an unfinished claim up so the client may retry at once. If the database is
    down this fails too: the claim then holds until its lease runs out, a retry meanwhile
    gets 409 with Retry-After, and the answer on its way out is not replaced by this."""
    try:
        async with asyncio.timeout(RELEASE_BOUND_S):
            await idempotency.release(pool, key_id, key)
    except (DatabaseUnavailable, TimeoutError) as exc:
        log.warning(
            "an Idempotency-Key claim of key %s holds until its lease ends: %s", key_id, exc
        )


def _take_over(request: Request, key: str) -> HeldClaim | None:
    """From here on, run_idempotent finishes or releases the claim itself."""
    held: HeldClaim | None = getattr(request.state, "claim", None)
    request.state.claim = None
    return held if held is not None and held.key == key else None


async def run_idempotent(
    request: Request,
    who: Principal,
    key: str,
    produce: Callable[[], Awaitable[BaseModel]],
    status_code: int = 201,
    *,
    holds_secret: bool = False,
) -> Response:
    """`holds_secret`: a successful answer carries an API key, so its stored copy is
    replayable only for a short while (see `scrub_secrets`)."""
    pool = request.app.state.pool
    held = _take_over(request, key)
    if held is not None and held.mine:
        stored = None
    else:
        print_ = held.print_ if held is not None else await request_fingerprint(request)
        stored = await _claim(request, who, key, print_)
    if stored is not None:
        return _response(stored.status, stored.body, replayed=True)
    try:
        status, content = await _produce(request, produce, status_code)
    except BaseException:
        await release_claim(pool, who.key_id, key)
        raise
    if status >= 500 or status in _NOT_STORED:
        await release_claim(pool, who.key_id, key)
    else:
        secret = holds_secret and status < 300
        request.app.state.responses.store(who.key_id, key, status, content, holds_secret=secret)
    return _response(status, content, replayed=False)


async def _claim(
    request: Request, who: Principal, key: str, print_: bytes
) -> idempotency.Stored | None:
    state = request.app.state
    try:
        return await idempotency.claim(
            state.pool, who.key_id, key, print_, state.idempotency_wait_s, lease_s(state.deadline_s)
        )
    except idempotency.KeyReusedForOtherRequest:
        raise field_problem(
            "Idempotency-Key", "was already used for a different request", 422
        ) from None
    except idempotency.StillInFlight as exc:
        # When to come back: the claim is taken over once its lease runs out, which is
        # what a claim left behind by a failed release waits for.
        lease = lease_s(state.deadline_s)
        raise Problem(
            409,
            "Request in progress",
            "the same request is still running",
            retry_after_s=retry_after_header_s(min(exc.lease_left_s, lease)),
        ) from None


async def _produce(
    request: Request, produce: Callable[[], Awaitable[BaseModel]], status_code: int
) -> tuple[int, bytes]:
    try:
        result = await produce()
    except Problem as problem:
        return problem.status, _problem_bytes(problem, request)
    except grpc.aio.AioRpcError as error:
        return _from_problem(problem_from_grpc(error), request)
    return status_code, result.model_dump_json().encode()


def _from_problem(problem: Problem, request: Request) -> tuple[int, bytes]:
    return problem.status, _problem_bytes(problem, request)


def _problem_bytes(problem: Problem, request: Request) -> bytes:
    return json.dumps(problem_body(problem, request.url.path), ensure_ascii=False).encode()


def withdrawn_answer_body(replay_s: float) -> bytes:
    """What a retry gets once an answer that carried an API key is no longer stored."""
    minutes = max(1, round(replay_s / 60))
    problem = Problem(
        410,
        "Answer no longer stored",
        "this request succeeded, and its answer carried an API key that is shown only "
        f"once: a retry could see it for {minutes} minutes, and that time has passed. "
        "The key still works if you kept it; otherwise have it revoked and a new one "
        "issued (an SME that signed up asks the alliance office).",
    )
    return json.dumps(problem_body(problem), ensure_ascii=False).encode()


def _response(status: int, content: bytes, *, replayed: bool) -> Response:
    media_type = PROBLEM_JSON if status >= 400 else "application/json"
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    if status in (429, 503):
        headers["Retry-After"] = "1"
    return Response(content, status_code=status, media_type=media_type, headers=headers)
