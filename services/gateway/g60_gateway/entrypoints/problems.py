"""RFC 9457 problem details for every error the gateway returns."""

from __future__ import annotations

from typing import Any

import grpc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from g60common.grpc_errors import error_reason_of, field_violations_of
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"

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
}


class Problem(Exception):
    def __init__(
        self, status: int, title: str, detail: str = "", errors: list[dict[str, str]] | None = None
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors or []


def field_problem(field: str, detail: str, status: int = 422) -> Problem:
    return Problem(
        status, "Invalid request", f"{field}: {detail}", [{"field": field, "detail": detail}]
    )


def problem_response(problem: Problem, instance: str = "") -> JSONResponse:
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
    headers = {"Retry-After": "1"} if problem.status in (429, 503) else None
    return JSONResponse(body, status_code=problem.status, media_type=PROBLEM_JSON, headers=headers)


def problem_from_grpc(error: grpc.aio.AioRpcError) -> Problem:
    status = _GRPC_TO_HTTP.get(error.code(), 502)
    violations = field_violations_of(error)
    reason = error_reason_of(error)
    if reason in _REASON_FIELDS:
        field = _REASON_FIELDS[reason]
        return Problem(
            422 if status == 409 and field != "uscc" else status,
            "Invalid request",
            error.details() or "",
            [{"field": field, "detail": error.details() or ""}],
        )
    errors = [{"field": f, "detail": d} for f, d in violations.items()]
    title = "Invalid request" if errors else (error.code().name.replace("_", " ").capitalize())
    if "request_id" in violations:
        # The same Idempotency-Key with a different body.
        errors = [{"field": "Idempotency-Key", "detail": violations["request_id"]}]
    return Problem(status, title, error.details() or "", errors)


def _location_to_field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _location_to_field(tuple(e["loc"])), "detail": str(e["msg"])}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['detail']}" for e in errors)
        return problem_response(Problem(422, "Invalid request", detail, errors), request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(Problem(exc.status_code, str(exc.detail)), request.url.path)

    @app.exception_handler(grpc.aio.AioRpcError)
    async def _grpc(request: Request, exc: grpc.aio.AioRpcError) -> JSONResponse:
        return problem_response(problem_from_grpc(exc), request.url.path)
