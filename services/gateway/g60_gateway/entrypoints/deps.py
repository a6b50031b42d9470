"""Request-scoped dependencies: the authenticated principal, the Idempotency-Key,
and gRPC metadata carrying caller identity and correlation id."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from g60common.correlation import CALLER_ID_KEY, CALLER_TYPE_KEY, CORRELATION_HEADER

from g60_gateway.adapters.credentials import authenticate
from g60_gateway.domain.principals import Principal, PrincipalType
from g60_gateway.entrypoints.problems import Problem, field_problem

MAX_IDEMPOTENCY_KEY_CHARS = 128


async def principal(
    request: Request,
    x_api_key: Annotated[str | None, Header(description="API key: g60_<key_id>_<secret>")] = None,
) -> Principal:
    api_key = x_api_key or _bearer(request.headers.get("authorization", ""))
    if not api_key:
        raise Problem(401, "Missing API key", "send X-API-Key or Authorization: Bearer")
    found = await authenticate(request.app.state.pool, api_key)
    if found is None:
        raise Problem(401, "Invalid API key", "the key is unknown, malformed or revoked")
    return found


def _bearer(authorization: str) -> str:
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def require(*allowed: PrincipalType):  # type: ignore[no-untyped-def]
    async def _check(who: Annotated[Principal, Depends(principal)]) -> Principal:
        if who.principal_type not in allowed:
            raise Problem(403, "Forbidden", f"this route is for {', '.join(allowed)} callers")
        return who

    return _check


def idempotency_key(
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", description="Makes the POST safe to retry")
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
