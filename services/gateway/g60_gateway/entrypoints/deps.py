"""Request-scoped dependencies: the authenticated, rate-limited principal, the
Idempotency-Key, and gRPC call options carrying caller identity and correlation id."""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Security
from fastapi.security import APIKeyHeader
from g60common.correlation import CALLER_ID_KEY, CALLER_TYPE_KEY, CORRELATION_HEADER

from g60_gateway.adapters.credentials import authenticate
from g60_gateway.domain.principals import Principal, PrincipalType
from g60_gateway.entrypoints.problems import Problem, field_problem

MAX_IDEMPOTENCY_KEY_CHARS = 128
MAX_API_KEY_CHARS = 200
# A security scheme (not a plain header) so /docs offers "Authorize" for the key.
_API_KEY = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="g60_<key_id>_<secret>; `Authorization: Bearer <key>` also works",
)


async def principal(
    request: Request,
    x_api_key: Annotated[str | None, Security(_API_KEY)] = None,
) -> Principal:
    api_key = x_api_key or _bearer(request.headers.get("authorization", ""))
    if not api_key:
        raise Problem(401, "Missing API key", "send X-API-Key or Authorization: Bearer")
    found = None
    if len(api_key) <= MAX_API_KEY_CHARS:
        found = await authenticate(request.app.state.pool, api_key)
    if found is None:
        raise Problem(401, "Invalid API key", "the key is unknown, malformed or revoked")
    wait_s = request.app.state.rate_limiter.retry_after_s(
        found.key_id, found.scopes, time.monotonic()
    )
    if wait_s > 0:
        raise Problem(
            429,
            "Too many requests",
            "this credential's rate limit is exhausted",
            retry_after_s=max(1, math.ceil(wait_s)),
        )
    return found


def _bearer(authorization: str) -> str:
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def require(*allowed: PrincipalType) -> Callable[..., Awaitable[Principal]]:
    async def _check(request: Request, who: Annotated[Principal, Depends(principal)]) -> Principal:
        if who.principal_type not in allowed:
            if request.path_params:
                # On a route naming an object, a caller who may never see it gets the
                # same answer as for an id that does not exist: nothing leaks.
                raise Problem(404, "Not found", "no such object for this caller")
            raise Problem(403, "Forbidden", f"this route is for {', '.join(allowed)} callers")
        return who

    return _check


async def idempotency_key(
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Required on every POST: a retry with the same key and body "
            "returns the stored response; another body with the same key is 422.",
        ),
    ] = None,
) -> str:
    if not idempotency_key or len(idempotency_key) > MAX_IDEMPOTENCY_KEY_CHARS:
        raise field_problem(
            "Idempotency-Key",
            f"header is required, 1 to {MAX_IDEMPOTENCY_KEY_CHARS} characters",
            400,
        )
    return idempotency_key


def grpc_metadata(request: Request, who: Principal) -> tuple[tuple[str, str], ...]:
    return (
        (CALLER_TYPE_KEY, who.principal_type.value),
        (CALLER_ID_KEY, who.principal_id),
        (CORRELATION_HEADER, request.state.correlation_id),
    )


async def call(request: Request, who: Principal, rpc: Any, message: Any) -> Any:
    """One gRPC call with the caller's identity and the gateway's deadline."""
    return await rpc(
        message, metadata=grpc_metadata(request, who), timeout=request.app.state.deadline_s
    )


Operator = Annotated[Principal, Depends(require(PrincipalType.OPERATOR))]
Bank = Annotated[Principal, Depends(require(PrincipalType.BANK))]
Enterprise = Annotated[Principal, Depends(require(PrincipalType.ENTERPRISE))]
BankOrEnterprise = Annotated[
    Principal, Depends(require(PrincipalType.BANK, PrincipalType.ENTERPRISE))
]
Anyone = Annotated[Principal, Depends(principal)]
IdemKey = Annotated[str, Depends(idempotency_key)]
