"""Caller identity from metadata, and domain errors -> gRPC statuses."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

import asyncpg
import grpc
from g60common.correlation import CALLER_ID_KEY, CALLER_TYPE_KEY
from g60common.db import (
    DATABASE_TIMEOUT_MESSAGE,
    DATABASE_TIMEOUTS,
    DATABASE_UNAVAILABLE,
    DATABASE_UNAVAILABLE_MESSAGE,
)
from g60common.grpc_errors import bad_request_status, error_info_status
from g60common.idempotency import IdempotencyConflict
from g60common.ids import canonical_uuid
from google.rpc import code_pb2

from g60_credit.adapters.party_directory import MembersUnavailable
from g60_credit.domain import errors
from g60_credit.domain.queries import Viewer

MAX_REQUEST_ID_CHARS = 128
_PARTY_CALLERS = ("bank", "enterprise", "guarantor")
T = TypeVar("T")

_PRECONDITION_ERRORS = (
    errors.BankNotActive,
    errors.EnterpriseNotActive,
    errors.GuarantorNotEligible,
    errors.CreditPreconditionFailed,
)
# Lost races the client may simply retry with the same request id.
_RETRYABLE_DB_ERRORS = (
    asyncpg.exceptions.DeadlockDetectedError,
    asyncpg.exceptions.SerializationError,
)


async def caller_of(context: grpc.aio.ServicerContext, *allowed: str) -> tuple[str, str]:
    """(type, id) of the caller; the gateway authenticates and passes them in metadata."""
    md = dict(context.invocation_metadata() or ())
    caller_type, caller_id = md.get(CALLER_TYPE_KEY, ""), md.get(CALLER_ID_KEY, "")
    if caller_type not in allowed or not caller_id:
        who = " or ".join(allowed)
        await context.abort(
            grpc.StatusCode.PERMISSION_DENIED, f"only a caller of type {who} may do this"
        )
    if caller_type in _PARTY_CALLERS:
        # Party ids are UUIDs, kept in one spelling: another spelling of the same id
        # must own the same rows, and a non-id can own none. (Operators own no rows.)
        caller_id = canonical_uuid(str(caller_id)) or ""
        if not caller_id:
            await context.abort(grpc.StatusCode.PERMISSION_DENIED, "the caller id is not a UUID")
    return str(caller_type), str(caller_id)


async def caller_bank_id(context: grpc.aio.ServicerContext) -> str:
    return (await caller_of(context, "bank"))[1]


async def line_viewer(context: grpc.aio.ServicerContext) -> Viewer:
    """Banks read the lines they granted, enterprises the lines granted to them,
    guarantee companies the lines they back."""
    kind, party_id = await caller_of(context, "bank", "enterprise", "guarantor")
    match kind:
        case "bank" | "enterprise" | "guarantor":
            return Viewer(kind, party_id)
    raise AssertionError(f"caller_of let {kind!r} through")


def require_request_id(request_id: str) -> None:
    if not request_id or len(request_id) > MAX_REQUEST_ID_CHARS:
        raise errors.InvalidFields(
            {"request_id": f"is required, 1 to {MAX_REQUEST_ID_CHARS} characters"}
        )


async def abort_for(context: grpc.aio.ServicerContext, exc: Exception) -> NoReturn:
    match exc:
        case errors.InvalidFields(violations=v):
            await context.abort_with_status(bad_request_status(v))
        case IdempotencyConflict():
            await context.abort_with_status(bad_request_status({"request_id": str(exc)}))
        case errors.UnknownEnterprise():
            await context.abort_with_status(
                error_info_status(code_pb2.FAILED_PRECONDITION, str(exc), "UNKNOWN_ENTERPRISE")
            )
        case _ if isinstance(exc, _PRECONDITION_ERRORS):
            await context.abort_with_status(
                error_info_status(code_pb2.FAILED_PRECONDITION, str(exc), type(exc).__name__)
            )
        case errors.NotABank():
            await context.abort(grpc.StatusCode.PERMISSION_DENIED, str(exc))
        case errors.CreditLineNotFound():
            await context.abort(grpc.StatusCode.NOT_FOUND, "credit line not found")
        case errors.ApplicationNotFound():
            await context.abort(grpc.StatusCode.NOT_FOUND, "financing application not found")
        case errors.GuarantorCapacityNotFound():
            await context.abort(grpc.StatusCode.NOT_FOUND, "guarantor capacity not found")
        case errors.StaleVersion():
            # The members service's reason: re-read, then decide again (not a blind retry).
            await context.abort_with_status(
                error_info_status(code_pb2.ABORTED, str(exc), "STALE_VERSION")
            )
        case errors.ConcurrentUpdate():
            await context.abort_with_status(
                error_info_status(code_pb2.ABORTED, str(exc), "CONCURRENT_UPDATE")
            )
        case _ if isinstance(exc, _RETRYABLE_DB_ERRORS):
            await context.abort_with_status(
                error_info_status(code_pb2.ABORTED, "lost a database race; retry", "RETRY")
            )
        case MembersUnavailable():
            await context.abort(grpc.StatusCode.UNAVAILABLE, str(exc))
        case _ if isinstance(exc, DATABASE_TIMEOUTS):
            await context.abort(grpc.StatusCode.UNAVAILABLE, DATABASE_TIMEOUT_MESSAGE)
        case _ if isinstance(exc, DATABASE_UNAVAILABLE):  # after timeouts: TimeoutError is one
            await context.abort(grpc.StatusCode.UNAVAILABLE, DATABASE_UNAVAILABLE_MESSAGE)
    raise exc


async def run_rpc(
    context: grpc.aio.ServicerContext,
    call: Callable[[], Awaitable[T]],
    request_id: str | None = None,
) -> T:
    try:
        if request_id is not None:
            require_request_id(request_id)
        return await call()
    except Exception as exc:
        await abort_for(context, exc)


_INT_TOKEN = re.compile(r"[0-9]{1,19}")  # ASCII only: str.isdigit() also takes "²"
_MAX_INT_TOKEN = 2**63 - 1


def page_after(token: str, kind: str) -> str:
    """The canonical form of a page token this service issued ("" for the first page)."""
    if not token:
        return token
    if kind == "uuid" and (canonical := canonical_uuid(token)) is not None:
        return canonical
    if kind == "int" and _INT_TOKEN.fullmatch(token) and int(token) <= _MAX_INT_TOKEN:
        return token
    raise errors.InvalidFields({"page_token": "is not a token this service issued"})
