"""The gateway's FastAPI application: lifespan, middleware and routes."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import grpc
import httpx
from fastapi import FastAPI, Request, Response
from g60.credit.v1 import credit_pb2_grpc
from g60.members.v1 import members_pb2_grpc
from g60common.correlation import CORRELATION_HEADER, set_correlation_id
from g60common.db import apply_schema, create_pool
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

from g60_gateway.adapters.credentials import SCHEMA_SQL
from g60_gateway.config import GatewaySettings
from g60_gateway.entrypoints.problems import Problem, install_problem_handlers, problem_response
from g60_gateway.entrypoints.routes import router

HTTP_REQUESTS = Counter("g60_gateway_requests", "HTTP requests", ["method", "route", "status"])
HTTP_LATENCY = Histogram("g60_gateway_request_seconds", "HTTP request latency", ["method", "route"])

# Only UNAVAILABLE is retried, and only by gRPC's own transparent retry policy; every
# write carries a request id, so a retried write cannot apply twice.
_GRPC_SERVICE_CONFIG = (
    '{"methodConfig": [{"name": [{}], "retryPolicy": {"maxAttempts": 3, '
    '"initialBackoff": "0.1s", "maxBackoff": "1s", "backoffMultiplier": 2, '
    '"retryableStatusCodes": ["UNAVAILABLE"]}}]}'
)


def _channel(target: str) -> grpc.aio.Channel:
    return grpc.aio.insecure_channel(
        target, options=[("grpc.service_config", _GRPC_SERVICE_CONFIG), ("grpc.enable_retries", 1)]
    )


def create_app(settings: GatewaySettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = await create_pool(settings.postgres)
        await apply_schema(app.state.pool, SCHEMA_SQL)
        members_channel, credit_channel = (
            _channel(settings.members_target),
            _channel(settings.credit_target),
        )
        app.state.members = members_pb2_grpc.MembersServiceStub(members_channel)
        app.state.credit = credit_pb2_grpc.CreditServiceStub(credit_channel)
        app.state.http = httpx.AsyncClient(base_url=settings.aggregator_url, timeout=5.0)
        app.state.deadline_s = settings.grpc_deadline_s
        yield
        await app.state.http.aclose()
        await members_channel.close()
        await credit_channel.close()
        await app.state.pool.close()

    app = FastAPI(
        title="G60 Alliance Credit Platform API",
        version="1.0.0",
        description="Partner banks, SMEs and the alliance office. Amounts are integer fen.",
        lifespan=lifespan,
    )
    install_problem_handlers(app)
    app.include_router(router)
    _install_middleware(app, settings)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app


def _install_middleware(app: FastAPI, settings: GatewaySettings) -> None:
    @app.middleware("http")
    async def observe(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request.state.correlation_id = set_correlation_id(request.headers.get(CORRELATION_HEADER))
        declared = request.headers.get("content-length")
        if declared is not None and (
            not declared.isdigit() or int(declared) > settings.max_body_bytes
        ):
            return problem_response(
                Problem(413, "Request body too large", f"at most {settings.max_body_bytes} bytes")
            )
        started = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        HTTP_LATENCY.labels(request.method, route).observe(time.perf_counter() - started)
        response.headers[CORRELATION_HEADER] = request.state.correlation_id
        return response
