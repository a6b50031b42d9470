"""Request-scoped dependencies: the authenticated, rate-limited principal, the
Idempotency-Key, and gRPC call options carrying caller identity and correlation id."""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request, Response, Security
from fastapi.dependencies.models import Dependant
from fastapi.openapi.models import APIKeyIn
from fastapi.routing import APIRoute
from fastapi.security.api_key import APIKeyBase
from g60common.correlation import CALLER_ID_KEY, CALLER_TYPE_KEY, CORRELATION_HEADER

from g60_gateway.adapters.credentials import authenticate, authenticate_and_claim
from g60_gateway.domain.principals import Principal, PrincipalType
from g60_gateway.domain.rate_limit import retry_after_header_s
from g60_gateway.entrypoints.idempotent import (
    HeldClaim,
    lease_s,
    release_untaken_claim,
    request_fingerprint,
)
from g60_gateway.entrypoints.problems import Problem, field_problem
from g60_gateway.entrypoints.strict_json import StrictJsonRequest

MAX_IDEMPOTENCY_KEY_CHARS = 128
MAX_API_KEY_CHARS = 200


class ApiKeyAuth(APIKeyBase):
    """The X-API-Key security scheme (so /docs offers "Authorize"), which also does the
    whole check: authenticate, rate-limit, then refuse other caller types. One
    dependency instead of a scheme, a principal and a type check, because FastAPI's
    solving of each dependency cost more CPU than the check itself.

    On a POST that takes an Idempotency-Key, the key is claimed in the same statement
    as the authentication; if the request fails before `run_idempotent` takes the claim
    over (a refused caller type, the rate limit, a bad body), `GatewayRoute`
    releases it before the error goes out, so a corrected retry can run."""

    def __init__(self, *allowed: PrincipalType) -> None:
        super().__init__(
            location=APIKeyIn.header,
            name="X-API-Key",
            description="g60_<key_id>_<secret>; `Authorization: Bearer <key>` also works",
            scheme_name="APIKeyHeader",
            auto_error=False,
        )
        self.allowed = allowed or tuple(PrincipalType)

    async def __call__(self, request: Request) -> Principal:
        found = await _principal(request)
        _check_rate(request, found)
        if found.principal_type not in self.allowed:
            if request.path_params:
                # On a route naming an object, a caller who may never see it gets the
                # same answer as for an id that does not exist: nothing leaks.
                raise Problem(404, "Not found", "no such object for this caller")
            raise Problem(403, "Forbidden", f"this route is for {', '.join(self.allowed)} callers")
        return found


class OptionalApiKeyAuth(ApiKeyAuth):
    """For public routes that show key holders more: without a key the caller is
    anonymous (None); a key, when sent, must be valid, and counts against its limit."""

    async def __call__(self, request: Request) -> Principal | None:  # type: ignore[override]
        headers = request.headers
        if not (headers.get("x-api-key") or headers.get("authorization")):
            return None
        return await super().__call__(request)


async def _principal(request: Request) -> Principal:
    headers = request.headers
    api_key = headers.get("x-api-key") or _bearer(headers.get("authorization", ""))
    if not api_key:
        raise Problem(401, "Missing API key", "send X-API-Key or Authorization: Bearer")
    found = None
    if len(api_key) <= MAX_API_KEY_CHARS:
        found, request.state.claim = await _authenticate(request, api_key)
    if found is None:
        raise Problem(401, "Invalid API key", "the key is unknown, malformed or revoked")
    return found


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
    return found[0], HeldClaim(found[0].key_id, idem_key, print_, mine=found[1])


def _claimable_key(request: Request) -> str | None:
    """The Idempotency-Key of a POST to a route that takes one, when well-formed (a
    malformed one is reported by `idempotency_key`)."""
    route = request.scope.get("route")
    if request.method != "POST" or not getattr(route, "takes_idempotency_key", False):
        return None
    key = request.headers.get("idempotency-key")
    return key if key and len(key) <= MAX_IDEMPOTENCY_KEY_CHARS else None


def _check_rate(request: Request, found: Principal) -> None:
    wait_s = request.app.state.rate_limiter.retry_after_s(
        found.key_id, found.scopes, time.monotonic()
    )
    if wait_s > 0:
        raise Problem(
            429,
            "Too many requests",
            "this credential's rate limit is exhausted",
            retry_after_s=retry_after_header_s(wait_s),
        )


def _bearer(authorization: str) -> str:
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def idempotency_key(request: Request) -> str:
    """Read from the headers directly, not as a FastAPI `Header` parameter, whose
    validation on every request cost more CPU than this whole check; `GatewayRoute`
    documents the header instead."""
    key = request.headers.get("idempotency-key")
    if not key or len(key) > MAX_IDEMPOTENCY_KEY_CHARS:
        raise field_problem(
            "Idempotency-Key",
            f"header is required, 1 to {MAX_IDEMPOTENCY_KEY_CHARS} characters",
            400,
        )
    return key


_IDEMPOTENCY_KEY_DOC = (
    "Required on every POST: a retry with the same key and body returns the stored "
    "response; another body with the same key is 422."
)
# What FastAPI generated for the header when it was an optional `Header` parameter.
IDEMPOTENCY_KEY_PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {
        "anyOf": [{"type": "string"}, {"type": "null"}],
        "description": _IDEMPOTENCY_KEY_DOC,
        "title": "Idempotency-Key",
    },
    "description": _IDEMPOTENCY_KEY_DOC,
}


class GatewayRoute(APIRoute):
    """The route class of the API routers. Its requests parse JSON bodies strictly
    (`strict_json`). On routes that take an Idempotency-Key it documents the header,
    and releases a claim that authentication made but `run_idempotent` never took
    over, before the error response goes out, so a corrected retry can run at once."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        self.takes_idempotency_key = _depends_on(self.dependant, idempotency_key)
        if self.takes_idempotency_key:
            extra = self.openapi_extra or {}
            parameters = [*extra.get("parameters", []), IDEMPOTENCY_KEY_PARAMETER]
            self.openapi_extra = {**extra, "parameters": parameters}

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_then_release(request: Request) -> Response:
            # Before anything reads the body: its one parse refuses repeated keys.
            request = StrictJsonRequest(request.scope, request.receive)
            try:
                return await handle(request)
            finally:
                await release_untaken_claim(request)

        return handle_then_release


def _depends_on(dependant: Dependant, call: Callable[..., Any]) -> bool:
    pending = [dependant]
    while pending:
        current = pending.pop()
        if current.call is call:
            return True
        pending += current.dependencies
    return False


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


Operator = Annotated[Principal, Security(ApiKeyAuth(PrincipalType.OPERATOR))]
Bank = Annotated[Principal, Security(ApiKeyAuth(PrincipalType.BANK))]
Enterprise = Annotated[Principal, Security(ApiKeyAuth(PrincipalType.ENTERPRISE))]
Guarantor = Annotated[Principal, Security(ApiKeyAuth(PrincipalType.GUARANTOR))]
# Who reads credit lines and loans: the credit service shows each only its own.
CreditReader = Annotated[
    Principal,
    Security(ApiKeyAuth(PrincipalType.BANK, PrincipalType.ENTERPRISE, PrincipalType.GUARANTOR)),
]
# Who keeps webhooks: banks, guarantee companies (for the loans on lines they back) and
# SMEs (for their own applications and loans).
WebhookOwner = Annotated[
    Principal,
    Security(ApiKeyAuth(PrincipalType.BANK, PrincipalType.GUARANTOR, PrincipalType.ENTERPRISE)),
]
OperatorOrGuarantor = Annotated[
    Principal, Security(ApiKeyAuth(PrincipalType.OPERATOR, PrincipalType.GUARANTOR))
]
Anyone = Annotated[Principal, Security(ApiKeyAuth())]
AnyoneOrAnonymous = Annotated[Principal | None, Security(OptionalApiKeyAuth())]
IdemKey = Annotated[str, Depends(idempotency_key)]
