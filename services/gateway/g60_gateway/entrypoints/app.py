"""The gateway's FastAPI application: lifespan, middleware and routes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import asyncpg
import grpc
import httpx
from fastapi import FastAPI, Response
from g60.credit.v1 import credit_pb2_grpc
from g60.members.v1 import members_pb2_grpc
from g60common.db import apply_schema, create_pool, create_request_pool
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from g60_gateway.adapters import idempotency, signup_limit
from g60_gateway.adapters.credentials import SCHEMA_SQL
from g60_gateway.adapters.database import RequestPool
from g60_gateway.adapters.housekeeping import every
from g60_gateway.adapters.signup_limit import SignupLimiter
from g60_gateway.adapters.webhook_worker import WebhookWorker
from g60_gateway.config import GatewaySettings
from g60_gateway.domain.rate_limit import RateLimiter
from g60_gateway.entrypoints.body_limit import BodyLimitMiddleware
from g60_gateway.entrypoints.idempotent import withdrawn_answer_body
from g60_gateway.entrypoints.observe import ObserveMiddleware
from g60_gateway.entrypoints.problems import install_problem_handlers
from g60_gateway.entrypoints.routes import ROUTERS

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
        app.state.pool, app.state.background_pool = await _open_pools(settings)
        members_channel, credit_channel = (
            _channel(settings.members_target),
            _channel(settings.credit_target),
        )
        app.state.members = members_pb2_grpc.MembersServiceStub(members_channel)
        app.state.credit = credit_pb2_grpc.CreditServiceStub(credit_channel)
        app.state.http = httpx.AsyncClient(base_url=settings.aggregator_url, timeout=5.0)
        app.state.deadline_s = settings.grpc_deadline_s
        app.state.idempotency_wait_s = settings.idempotency_wait_s
        app.state.rate_limiter = RateLimiter(settings.rate_per_s, settings.rate_burst)
        app.state.signup_limiter = SignupLimiter(
            app.state.pool, settings.signup.rate_per_s, settings.signup.burst
        )
        app.state.webhooks = WebhookWorker(app.state.background_pool, settings)
        app.state.allow_private_webhooks = settings.webhooks.allow_private_targets
        # On the request pool: it writes one batch at a time (one connection), and a
        # stored answer is what a retry waits for.
        app.state.responses = idempotency.ResponseWriter(app.state.pool)
        tasks = _start_background(app.state.webhooks, settings)
        tasks.append(asyncio.create_task(app.state.responses.run(), name="idempotency-store"))
        tasks += _start_housekeeping(app.state.background_pool, settings)
        yield
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        # Requests have finished by now (uvicorn drains them before the lifespan ends):
        # store the last responses before the pool goes.
        await app.state.responses.flush()
        await app.state.http.aclose()
        await members_channel.close()
        await credit_channel.close()
        await app.state.pool.close()
        await app.state.background_pool.close()

    app = FastAPI(
        title="G60 Alliance Credit Platform API",
        version="1.0.0",
        description="Partner banks, SMEs and the alliance office. Amounts are integer fen.",
        lifespan=lifespan,
        # No OpenTelemetry SDK is installed, so FastAPI's native telemetry could never
        # record anything; left on, it still asked the global providers on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    install_problem_handlers(app)
    for area in ROUTERS:
        # The routes themselves, not app.include_router(area): FastAPI keeps an included
        # router as a lazy wrapper that matches its routes again on every request, once
        # per nesting level. Each route already carries its router's tags and responses.
        app.router.routes.extend(area.routes)
    # Added last = outermost: the correlation id is set before anything can refuse.
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(ObserveMiddleware)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app


async def _open_pools(settings: GatewaySettings) -> tuple[RequestPool, asyncpg.Pool]:
    """Requests and background work (webhooks, housekeeping) draw on pools of their own,
    as in the services (g60common.runtime): a webhook sender with many deliveries in
    flight once held every connection, and requests waited for one without limit.
    Each use of the request pool runs under one deadline (adapters/database.py); the
    background pool's statements carry asyncpg's own timeout."""
    background = await create_pool(
        replace(settings.postgres, pool_min_size=1, pool_max_size=settings.background_pool_max)
    )
    await apply_schema(background, SCHEMA_SQL)
    requests = await create_request_pool(settings.postgres)
    return RequestPool(requests, settings.postgres.transaction_timeout_s), background


def _start_housekeeping(pool: asyncpg.Pool, settings: GatewaySettings) -> list[asyncio.Task[None]]:
    secret_answer = withdrawn_answer_body(settings.secret_replay_s)
    # Only its purge runs here; sign-ups take tokens through the request pool's limiter.
    limiter = SignupLimiter(pool, settings.signup.rate_per_s, settings.signup.burst)
    housekeeping = {
        "idempotency purge": (
            idempotency.PURGE_INTERVAL_S,
            lambda: idempotency.purge_expired(pool, settings.idempotency_retention_s),
        ),
        "idempotency secret scrub": (
            idempotency.SCRUB_INTERVAL_S,
            lambda: idempotency.scrub_secrets(pool, settings.secret_replay_s, 410, secret_answer),
        ),
        "sign-up bucket purge": (signup_limit.PURGE_INTERVAL_S, limiter.purge_full),
    }
    return [
        asyncio.create_task(every(interval_s, what, step), name=what)
        for what, (interval_s, step) in housekeeping.items()
    ]


def _start_background(worker: WebhookWorker, settings: GatewaySettings) -> list[asyncio.Task[None]]:
    """Webhook delivery runs inside the gateway process: no extra process to launch."""
    if not settings.webhooks.enabled:
        return []
    return [
        asyncio.create_task(worker.run_consumer(), name="webhook-consumer"),
        asyncio.create_task(worker.run_sender(), name="webhook-sender"),
    ]
