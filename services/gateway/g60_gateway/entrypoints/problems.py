"""RFC 9457 problem details for every error the gateway returns."""

from __future__ import annotations

import logging
from typing import Any

import grpc
import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from g60common.correlation import CORRELATION_HEADER, current_correlation_id
from g60common.grpc_errors import error_reason_of, field_violations_of
from starlette.exceptions import HTTPException as StarletteHTTPException

from g60_gateway.adapters.database import DatabaseUnavailable
from g60_gateway.entrypoints.strict_json import DuplicateJsonKey

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)

# gRPC status -> HTTP status, one table for every route.
_GRPC_TO_HTTP = {
    grpc.StatusCode.INVALID_ARGUMENT: 422,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.FAILED_PRECONDITION: 409,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
}

# Refusals about one named input are reported as a field error on it.
_REASON_FIELDS = {
    "UNKNOWN_ENTERPRISE": "enterprise_id",
    "GuarantorNotEligible": "guarantor_id",
    "DUPLICATE_USCC": "uscc",
    "STALE_VERSION": "expected_version",
}
# Conflicts that stay 409 with their field: the input is well-formed but collides with
# the current state (a taken USCC, a version since changed). Other named refusals of
# a 409 are an unknown id in the body, which is a 422 like any bad field.
_CONFLICT_FIELDS = frozenset({"uscc", "expected_version"})


class Problem(Exception):
    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        errors: list[dict[str, str]] | None = None,
        retry_after_s: int | None = None,
        code: str = "",
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors or []
        self.retry_after_s = retry_after_s
        # The rule the request broke, for clients to branch on (the credit and members
        # services' ErrorInfo.reason, e.g. CreditLimitExceeded); "" when there is none.
        self.code = code


def field_problem(field: str, detail: str, status: int = 422) -> Problem:
    return Problem(
        status, "Invalid request", f"{field}: {detail}", [{"field": field, "detail": detail}]
    )


def problem_body(problem: Problem, instance: str = "") -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"https://g60.example/problems/{problem.status}",
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
    }
    if instance:
        body["instance"] = instance
    if problem.errors:
        body["errors"] = problem.errors
    if problem.code:
        body["code"] = problem.code
    return body


def problem_response(problem: Problem, instance: str = "") -> JSONResponse:
    headers = None
    if problem.status in (409, 429, 503) and (problem.retry_after_s or problem.status != 409):
        headers = {"Retry-After": str(problem.retry_after_s or 1)}
    return JSONResponse(
        problem_body(problem, instance),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


# What a 5xx says instead of the upstream text, which may carry SQL, data or internal
# addresses (asyncpg's "invalid input for query argument $3: …", gRPC's "failed to
# connect to ipv4:…"). The text goes to the log, under the request's correlation id.
_SERVER_ERROR_DETAILS = {
    500: "the gateway failed unexpectedly",
    502: "an upstream service failed unexpectedly",
    503: "an upstream service is unavailable; retry later",
    504: "an upstream service did not answer in time",
}


def server_problem(status: int, title: str) -> Problem:
    """A 5xx with a generic detail that names the correlation id to report."""
    detail = _SERVER_ERROR_DETAILS.get(status, _SERVER_ERROR_DETAILS[502])
    correlation_id = current_correlation_id()
    if correlation_id:
        detail += f" (correlation id {correlation_id})"
    return Problem(status, title, detail)


def problem_from_grpc(error: grpc.aio.AioRpcError) -> Problem:
    status = _GRPC_TO_HTTP.get(error.code(), 502)
    title = error.code().name.replace("_", " ").capitalize()
    if status >= 500:
        # UNKNOWN and INTERNAL are a service's bug; unavailable or slow is operations.
        level = logging.ERROR if status == 502 else logging.WARNING
        log.log(level, "upstream call failed: %s %s", error.code().name, error.details())
        return server_problem(status, title)
    violations = field_violations_of(error)
    reason = error_reason_of(error)
    if reason in _REASON_FIELDS:
        field = _REASON_FIELDS[reason]
        return Problem(
            422 if status == 409 and field not in _CONFLICT_FIELDS else status,
            "Invalid request",
            error.details() or "",
            [{"field": field, "detail": error.details() or ""}],
            code=reason,
        )
    errors = [{"field": _body_field(f), "detail": d} for f, d in violations.items()]
    title = "Invalid request" if errors else title
    if "request_id" in violations:
        # The same Idempotency-Key with a different body.
        errors = [{"field": "Idempotency-Key", "detail": violations["request_id"]}]
    return Problem(status, title, error.details() or "", errors, code=reason)


# Update RPCs nest the new values in a message; the JSON body has them at top level.
_NESTED_PREFIXES = ("member.", "enterprise.")


def _body_field(field: str) -> str:
    for prefix in _NESTED_PREFIXES:
        if field.startswith(prefix):
            return field.removeprefix(prefix)
    return field


def problem_from_http(exc: httpx.HTTPError) -> Problem:
    """The aggregator is a dependency like a gRPC service: its refusal of the caller's
    input (4xx) is passed on; its own failure is a 502, unreachable a 503."""
    if isinstance(exc, httpx.HTTPStatusError) and 400 <= exc.response.status_code < 500:
        status = exc.response.status_code
        detail = exc.response.text[:500]
        try:
            detail = str(exc.response.json().get("detail", detail))
        except ValueError:
            pass
        return Problem(status, "Invalid request", detail)
    unreachable = isinstance(exc, httpx.TransportError)
    log.warning("aggregator call failed: %r", exc)
    return server_problem(503 if unreachable else 502, "Upstream unavailable")


# An outage of the gateway's own database is answered like an unreachable upstream.
# The retry is safe: a write's Idempotency-Key is its request id downstream.
DATABASE_RETRY_AFTER_S = 1


def problem_from_database(exc: DatabaseUnavailable) -> Problem:
    """503, logged once here (with the correlation id, like every log line) instead of
    a 500 with a traceback per request while the database is down."""
    log.warning("gateway database unavailable: %s", exc)
    problem = server_problem(503, "Service unavailable")
    problem.retry_after_s = DATABASE_RETRY_AFTER_S
    return problem


def _location_to_field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _json_syntax_error(exc: RequestValidationError) -> Problem | None:
    """FastAPI reports a body its JSON parser refuses as a validation error located at
    the character position (`{"loc": ["body", 1]}`), which is no field. It is the
    body's fault, so a 400 naming `body`, like every other parse failure."""
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            reason = (error.get("ctx") or {}).get("error", error.get("msg", ""))
            position = error["loc"][-1] if error.get("loc") else "?"
            return field_problem("body", f"is not valid JSON: {reason} at position {position}", 400)
    return None


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        syntax = _json_syntax_error(exc)
        if syntax is not None:
            return problem_response(syntax, request.url.path)
        errors = [
            {"field": _location_to_field(tuple(e["loc"])), "detail": str(e["msg"])}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['detail']}" for e in errors)
        return problem_response(Problem(422, "Invalid request", detail, errors), request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc, DuplicateJsonKey):
            problem = field_problem(exc.key, "appears more than once in a JSON object", 400)
        elif exc.status_code == 400:
            # FastAPI's body parser failed for a reason other than bad JSON syntax,
            # e.g. RecursionError on absurdly deep nesting: still the body's fault.
            problem = field_problem("body", f"cannot be parsed: {exc.detail}", 400)
        else:
            problem = Problem(exc.status_code, str(exc.detail))
        return problem_response(problem, request.url.path)

    @app.exception_handler(httpx.HTTPError)
    async def _upstream(request: Request, exc: httpx.HTTPError) -> JSONResponse:
        return problem_response(problem_from_http(exc), request.url.path)

    @app.exception_handler(DatabaseUnavailable)
    async def _database(request: Request, exc: DatabaseUnavailable) -> JSONResponse:
        return problem_response(problem_from_database(exc), request.url.path)

    @app.exception_handler(grpc.aio.AioRpcError)
    async def _grpc(request: Request, exc: grpc.aio.AioRpcError) -> JSONResponse:
        return problem_response(problem_from_grpc(exc), request.url.path)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Starlette logs the exception itself after this answer has gone out; the
        # answer is problem+json like every other error, without the exception's text.
        problem = server_problem(500, "Internal server error")
        response = problem_response(problem, request.url.path)
        # This handler runs outside ObserveMiddleware, which would otherwise add it.
        response.headers[CORRELATION_HEADER] = current_correlation_id()
        return response


_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "code": {
            "type": "string",
            "description": "The rule the request broke, for clients to branch on, e.g. "
            "CreditLimitExceeded, LoanMatured, ApplicationNotPending (a 409's reason)",
        },
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "detail": {"type": "string"}},
            },
        },
    },
}


def _documented(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": _PROBLEM_SCHEMA}}}


# Documented on every route, so clients (and schemathesis) know error bodies.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _documented("Malformed request or missing Idempotency-Key"),
    401: _documented("Missing, unknown or revoked API key"),
    403: _documented("This route is for another kind of caller"),
    404: _documented("No such object for this caller"),
    409: _documented("The object's state forbids this, or the same request is in flight"),
    413: _documented("Request body too large"),
    422: _documented("Invalid fields (listed in errors), or an Idempotency-Key reused"),
    429: _documented("Rate limit exhausted; see Retry-After"),
    502: _documented("An upstream service failed"),
    503: _documented("An upstream service is unavailable; see Retry-After"),
    504: _documented("An upstream service timed out"),
}
# Routes whose answer carries an API key: a retry after the replay window gets this.
SECRET_ANSWER_RESPONSES: dict[int | str, dict[str, Any]] = {
    410: _documented(
        "A retry of a request that succeeded, after its answer (which carried the API key) "
        "stopped being stored"
    ),
}
