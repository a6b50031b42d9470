"""Request-scoped dependencies: the authenticated, rate-limited principal, the
Idempotency-Key, and gRPC call options carrying caller identity and correlation id."""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Security
from fastapi.security import APIKeyHeader
from g60common.correlation import CALLER_ID_KEY, CALLER_TYPE_KEY, CORRELATION_HEADER

from g60_gateway.adapters import idempotency
from g60_gateway.adapters.credentials import authenticate, authenticate_and_claim
from g60_gateway.domain.principals import Principal, PrincipalType
from g60_gateway.entrypoints.idempotent import HeldClaim, lease_s, request_fingerprint
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
) -> AsyncIterator[Principal]:
    """The authenticated caller. On a POST that takes an Idempotency-Key, the key is
    claimed in the same statement; if the request fails before `run_idempotent`
    takes the claim over (a refused caller type, a bad body, the rate limit), the
    claim is released on the way out, so a corrected retry can run."""
    api_key = x_api_key or _bearer(request.headers.get("authorization", ""))
    if not api_key:
        raise Problem(401, "Missing API key", "send X-API-Key or Authorization: Bearer")
    found, claim = None, None
    if len(api_key) <= MAX_API_KEY_CHARS:
        found, claim = await _authenticate(request, api_key)
    if found is None:
        raise Problem(401, "Invalid API key", "the key is unknown, malformed or revoked")
    request.state.claim = claim
    try:
        _check_rate(request, found)
        yield found
    finally:
        if claim is not None and claim.mine and request.state.claim is claim:
            await idempotency.release(request.app.state.pool, found.key_id, claim.key)


async def _authenticate(
    request: Request, api_key: str
) -> tuple[Principal | None, HeldClaim | None]:
    state = request.app.state
    idem_key = _claimable_key(request)
    if idem_key is None:
        return await authenticate(state.pool, api_key), None
    print_ = await request_fingerprint(request)
    found = await authenticate_and_claim(
        state.pool, api_key, idem_key, print_, lease_s(state.deadline_s)
    )
    if found is None:
        return None, None
    return found[0], HeldClaim(idem_key, print_, mine=found[1])


def _claimable_key(request: Request) -> str | None:
    """The Idempotency-Key of a POST to a route that takes one, when well-formed (a
    malformed one is reported by `idempotency_key`)."""
    if request.method != "POST" or not _takes_idempotency_key(request.scope.get("route")):
        return None
    key = request.headers.get("idempotency-key")
    return key if key and len(key) <= MAX_IDEMPOTENCY_KEY_CHARS else None


# Per route object. Routes are unhashable, so by id, keeping the route itself to be
# sure the id still names it.
_TAKES_IDEMPOTENCY_KEY: dict[int, tuple[object, bool]] = {}


def _takes_idempotency_key(route: object) -> bool:
    cached = _TAKES_IDEMPOTENCY_KEY.get(id(route))
    if cached is not None and cached[0] is route:
        return cached[1]
    dependant = getattr(route, "dependant", None)
    pending, found = ([dependant] if dependant is not None else []), False
    while pending and not found:
        current = pending.pop()
        found = current.call is idempotency_key
        pending += current.dependencies
    _TAKES_IDEMPOTENCY_KEY[id(route)] = (route, found)
    return found


def _check_rate(request: Request, found: Principal) -> None:
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
