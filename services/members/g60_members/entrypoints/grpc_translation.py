"""Proto requests into commands, and domain errors into gRPC statuses."""

from __future__ import annotations

from typing import Any, NoReturn

import grpc
from g60.members.v1 import members_pb2
from g60common.correlation import CALLER_ID_KEY, CALLER_TYPE_KEY
from g60common.db import (
    DATABASE_TIMEOUT_MESSAGE,
    DATABASE_TIMEOUTS,
    DATABASE_UNAVAILABLE,
    DATABASE_UNAVAILABLE_MESSAGE,
)
from g60common.grpc_errors import bad_request_status, error_info_status
from g60common.idempotency import IdempotencyConflict
from google.protobuf.message import Message
from google.rpc import code_pb2

from g60_members.domain.errors import (
    DuplicateUscc,
    EnterpriseNotFound,
    IllegalStatusTransition,
    MemberNotFound,
    StaleVersion,
)
from g60_members.domain.updates import ENTERPRISE_UPDATABLE, MEMBER_UPDATABLE
from g60_members.domain.validation import InvalidFields
from g60_members.service_layer import commands

MAX_REQUEST_ID_CHARS = 128
REPLAY_METADATA_KEY = "x-g60-idempotent-replay"


def caller_of(context: grpc.aio.ServicerContext) -> str:
    md = dict(context.invocation_metadata() or ())
    return f"{md.get(CALLER_TYPE_KEY, 'internal')}:{md.get(CALLER_ID_KEY, '')}"


def require_request_id(request_id: str) -> None:
    if not request_id or len(request_id) > MAX_REQUEST_ID_CHARS:
        raise InvalidFields({"request_id": f"is required, 1 to {MAX_REQUEST_ID_CHARS} characters"})


def _masked(message: Message, paths: list[str], updatable: tuple[str, ...]) -> dict[str, Any]:
    """The masked values; a path we do not update maps to None and is refused later."""
    changes: dict[str, Any] = {}
    for path in paths:
        value: Any = getattr(message, path) if path in updatable else None
        changes[path] = list(value) if path == "designations" else value
    return changes


def update_member_command(
    request: members_pb2.UpdateMemberRequest, caller: str
) -> commands.UpdateMember:
    return commands.UpdateMember(
        caller=caller,
        request_id=request.request_id,
        member_id=request.member_id,
        expected_version=request.expected_version,
        changes=_masked(request.member, list(request.update_mask.paths), MEMBER_UPDATABLE),
    )


def update_enterprise_command(
    request: members_pb2.UpdateEnterpriseRequest, caller: str
) -> commands.UpdateEnterprise:
    return commands.UpdateEnterprise(
        caller=caller,
        request_id=request.request_id,
        enterprise_id=request.enterprise_id,
        expected_version=request.expected_version,
        changes=_masked(request.enterprise, list(request.update_mask.paths), ENTERPRISE_UPDATABLE),
    )


def status_command(
    request: members_pb2.ChangeMemberStatusRequest, caller: str, action: commands.StatusAction
) -> commands.ChangeMemberStatus:
    return commands.ChangeMemberStatus(
        caller=caller,
        request_id=request.request_id,
        member_id=request.member_id,
        action=action,
        reason=request.reason,
        expected_version=request.expected_version,
    )


def enterprise_status_command(
    request: members_pb2.ChangeEnterpriseStatusRequest,
    caller: str,
    action: commands.EnterpriseAction,
) -> commands.ChangeEnterpriseStatus:
    return commands.ChangeEnterpriseStatus(
        caller=caller,
        request_id=request.request_id,
        enterprise_id=request.enterprise_id,
        action=action,
        reason=request.reason,
        expected_version=request.expected_version,
    )


def self_register_command(
    request: members_pb2.SelfRegisterEnterpriseRequest, caller: str
) -> commands.SelfRegisterEnterprise:
    return commands.SelfRegisterEnterprise(
        caller=caller,
        request_id=request.request_id,
        name=request.name,
        uscc=request.uscc,
        city=request.city,
        industry=request.industry,
        industry_code=request.industry_code,
        size_class=request.size_class,
        contact=request.contact,
    )


async def abort_for(context: grpc.aio.ServicerContext, exc: Exception) -> NoReturn:
    """Known errors become their status; anything else propagates as INTERNAL/UNKNOWN."""
    match exc:
        case InvalidFields(violations=v):
            await context.abort_with_status(bad_request_status(v))
        case IdempotencyConflict():
            await context.abort_with_status(bad_request_status({"request_id": str(exc)}))
        case DuplicateUscc():
            message = f"unified social credit code {exc} is already registered"
            await context.abort_with_status(
                error_info_status(code_pb2.ALREADY_EXISTS, message, "DUPLICATE_USCC")
            )
        case MemberNotFound() | EnterpriseNotFound():
            await context.abort(grpc.StatusCode.NOT_FOUND, f"{type(exc).__name__}: {exc}")
        case IllegalStatusTransition():
            await context.abort_with_status(
                error_info_status(code_pb2.FAILED_PRECONDITION, str(exc), type(exc).__name__)
            )
        case StaleVersion():
            await context.abort_with_status(
                error_info_status(code_pb2.ABORTED, str(exc), "STALE_VERSION")
            )
        case _ if isinstance(exc, DATABASE_TIMEOUTS):
            await context.abort(grpc.StatusCode.UNAVAILABLE, DATABASE_TIMEOUT_MESSAGE)
        case _ if isinstance(exc, DATABASE_UNAVAILABLE):  # after timeouts: TimeoutError is one
            await context.abort(grpc.StatusCode.UNAVAILABLE, DATABASE_UNAVAILABLE_MESSAGE)
    raise exc


def mark_replay(context: grpc.aio.ServicerContext, replayed: bool) -> None:
    """Tell the caller (e.g. the CSV importer) that this is a stored earlier answer."""
    if replayed:
        context.set_trailing_metadata(((REPLAY_METADATA_KEY, "true"),))
