"""gRPC server bootstrap shared by the services: health, reflection, metrics,
correlation ids, graceful shutdown."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf.message import Message
from grpc_health.v1 import _async as health_aio
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from prometheus_client import Counter, Histogram

from g60common.correlation import CORRELATION_HEADER, current_correlation_id, set_correlation_id
from g60common.grpc_errors import bad_request_status

log = logging.getLogger(__name__)

GRPC_REQUESTS = Counter("g60_grpc_requests", "gRPC requests served", ["service", "method", "code"])
GRPC_LATENCY = Histogram(
    "g60_grpc_request_seconds",
    "gRPC request latency",
    ["service", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)

MAX_MESSAGE_BYTES = 4 * 1024 * 1024


class ObservabilityInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Counts requests by method and status code, times them, and adopts the
    caller's correlation id for logs and events. Two guards every RPC shares sit here
    too: a string with a NUL character is refused before any handler sees it
    (PostgreSQL cannot store one), and an unexpected exception is logged and answered
    INTERNAL without its text, which may carry SQL or data."""

    def __init__(self, service_label: str) -> None:
        self._service = service_label
        self._wrapped: dict[str, grpc.RpcMethodHandler] = {}

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        cached = self._wrapped.get(details.method)
        if cached is not None:
            return cached
        handler = await continuation(details)
        if handler is None or handler.unary_unary is None:
            return handler
        # Built once per method: wrapping on every call showed up in the credit profile.
        wrapped = grpc.unary_unary_rpc_method_handler(
            self._observe(details.method.rsplit("/", 1)[-1], handler.unary_unary),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
        self._wrapped[details.method] = wrapped
        return wrapped

    def _observe(
        self, method: str, inner: Callable[[Any, grpc.aio.ServicerContext], Awaitable[Any]]
    ) -> Callable[[Any, grpc.aio.ServicerContext], Awaitable[Any]]:
        latency = GRPC_LATENCY.labels(self._service, method)
        # One labelled child per status code, resolved once: labels() takes a lock and
        # builds a key on every call.
        counters: dict[str, Any] = {}

        def count(code: str) -> None:
            counter = counters.get(code)
            if counter is None:
                counter = counters[code] = GRPC_REQUESTS.labels(self._service, method, code)
            counter.inc()

        async def observed(request: Any, context: grpc.aio.ServicerContext) -> Any:
            set_correlation_id(_metadata_value(context, CORRELATION_HEADER))
            started = time.perf_counter()
            code = "OK"
            try:
                return await _guarded(method, inner, request, context)
            except asyncio.CancelledError:
                code = "CANCELLED"
                raise
            finally:
                count(_code_name(context) or code)
                latency.observe(time.perf_counter() - started)

        return observed


async def _guarded(
    method: str,
    inner: Callable[[Any, grpc.aio.ServicerContext], Awaitable[Any]],
    request: Any,
    context: grpc.aio.ServicerContext,
) -> Any:
    try:
        if nul_fields := fields_with_nul(request):
            await context.abort_with_status(bad_request_status(nul_fields))
        return await inner(request, context)
    except grpc.aio.AbortError:
        raise
    except Exception:
        log.exception("unexpected error in %s", method)
        await context.abort(
            grpc.StatusCode.INTERNAL, f"internal error (correlation id {current_correlation_id()})"
        )


NUL_MESSAGE = "must not contain NUL characters"


def fields_with_nul(message: Message, prefix: str = "") -> dict[str, str]:
    """Every string field, at any depth, that holds a NUL character, by its path."""
    found: dict[str, str] = {}
    for field, value in message.ListFields():
        name = prefix + field.name
        if isinstance(value, str | int):  # most fields: decided without the walk below
            if isinstance(value, str) and "\x00" in value:
                found[name] = NUL_MESSAGE
            continue
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            items = [(f"{name}[{k!r}]", v) for k, v in value.items()]
            items += [(name, k) for k in value]
        elif field.is_repeated:
            items = [(f"{name}[{i}]", v) for i, v in enumerate(value)]
        else:
            items = [(name, value)]
        for path, item in items:
            if isinstance(item, str) and "\x00" in item:
                found[path] = NUL_MESSAGE
            elif isinstance(item, Message):
                found.update(fields_with_nul(item, path + "."))
    return found


def _metadata_value(context: grpc.aio.ServicerContext, key: str) -> str | None:
    for name, value in context.invocation_metadata() or ():
        if name == key:
            return str(value)
    return None


def _code_name(context: grpc.aio.ServicerContext) -> str | None:
    code = context.code()
    if code is None:
        return None
    if isinstance(code, grpc.StatusCode):
        return str(code.name)
    return str(grpc.StatusCode(code).name) if isinstance(code, tuple) else str(code)


@dataclass
class GrpcService:
    """What a service registers: its servicer hook and its full service name."""

    full_name: str
    add_to_server: Callable[[grpc.aio.Server], None]


async def start_grpc_server(
    services: Sequence[GrpcService], bind: str, service_label: str
) -> tuple[grpc.aio.Server, health_aio.HealthServicer, int]:
    server = grpc.aio.server(
        interceptors=[ObservabilityInterceptor(service_label)],
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        ],
    )
    health_servicer = health_aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for service in services:
        service.add_to_server(server)
    names = [s.full_name for s in services]
    reflection.enable_server_reflection(
        [*names, health.SERVICE_NAME, reflection.SERVICE_NAME], server
    )
    port = server.add_insecure_port(bind)
    await server.start()
    for name in ["", *names]:
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return server, health_servicer, port


async def stop_grpc_server(
    server: grpc.aio.Server, health_servicer: health_aio.HealthServicer, grace_s: float
) -> None:
    """Report NOT_SERVING first so balancers drain, then finish in-flight calls."""
    await health_servicer.enter_graceful_shutdown()
    await server.stop(grace_s)
