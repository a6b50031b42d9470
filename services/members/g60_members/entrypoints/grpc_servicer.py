"""gRPC entrypoint: translates protos into commands and domain errors into statuses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import NoReturn

import grpc
from g60.members.v1 import members_pb2, members_pb2_grpc
from g60common.correlation import CALLER_ID_KEY, CALLER_TYPE_KEY
from g60common.grpc_errors import bad_request_status, error_info_status
from g60common.idempotency import IdempotencyConflict
from google.rpc import code_pb2

from g60_members.adapters.proto_codec import enterprise_to_proto, member_to_proto
from g60_members.domain.errors import DuplicateUscc, EnterpriseNotFound, MemberNotFound
from g60_members.domain.validation import InvalidFields
from g60_members.service_layer import handlers
from g60_members.service_layer.unit_of_work import MembersUnitOfWork

MAX_REQUEST_ID_CHARS = 128


def _caller(context: grpc.aio.ServicerContext) -> str:
    md = dict(context.invocation_metadata() or ())
    return f"{md.get(CALLER_TYPE_KEY, 'internal')}:{md.get(CALLER_ID_KEY, '')}"


def _require_request_id(request_id: str) -> None:
    if not request_id or len(request_id) > MAX_REQUEST_ID_CHARS:
        raise InvalidFields({"request_id": f"is required, 1 to {MAX_REQUEST_ID_CHARS} characters"})


async def _abort_for(context: grpc.aio.ServicerContext, exc: Exception) -> NoReturn:
    match exc:
        case InvalidFields(violations=v):
            await context.abort_with_status(bad_request_status(v))
        case IdempotencyConflict():
            await context.abort_with_status(bad_request_status({"request_id": str(exc)}))
        case DuplicateUscc():
            await context.abort_with_status(
                error_info_status(
                    code_pb2.ALREADY_EXISTS,
                    f"unified social credit code {exc} is already registered",
                    "DUPLICATE_USCC",
                )
            )
        case MemberNotFound() | EnterpriseNotFound():
            await context.abort(grpc.StatusCode.NOT_FOUND, f"{type(exc).__name__}: {exc}")
    raise exc


class MembersServicer(members_pb2_grpc.MembersServiceServicer):
    def __init__(self, uow_factory: Callable[[], MembersUnitOfWork]) -> None:
        self._uow = uow_factory

    async def RegisterMember(
        self, request: members_pb2.RegisterMemberRequest, context: grpc.aio.ServicerContext
    ) -> members_pb2.Member:
        try:
            _require_request_id(request.request_id)
            member = await handlers.register_member(
                handlers.RegisterMember(
                    caller=_caller(context),
                    request_id=request.request_id,
                    name=request.name,
                    short_name=request.short_name,
                    institution_type=request.institution_type,
                    home_city=request.home_city,
                    uscc=request.uscc,
                    contact=request.contact,
                ),
                self._uow(),
                lambda: datetime.now(UTC),
            )
        except Exception as exc:
            await _abort_for(context, exc)
        return member_to_proto(member)

    async def GetMember(
        self, request: members_pb2.GetMemberRequest, context: grpc.aio.ServicerContext
    ) -> members_pb2.Member:
        try:
            member = await handlers.get_member(request.member_id, self._uow())
        except Exception as exc:
            await _abort_for(context, exc)
        return member_to_proto(member)

    async def RegisterEnterprise(
        self, request: members_pb2.RegisterEnterpriseRequest, context: grpc.aio.ServicerContext
    ) -> members_pb2.Enterprise:
        try:
            _require_request_id(request.request_id)
            enterprise = await handlers.register_enterprise(
                handlers.RegisterEnterprise(
                    caller=_caller(context),
                    request_id=request.request_id,
                    name=request.name,
                    uscc=request.uscc,
                    city=request.city,
                    region_code=request.region_code,
                    industry=request.industry,
                    industry_code=request.industry_code,
                    size_class=request.size_class,
                    designations=tuple(request.designations),
                    registered_capital_fen=request.registered_capital_fen,
                ),
                self._uow(),
            )
        except Exception as exc:
            await _abort_for(context, exc)
        return enterprise_to_proto(enterprise)

    async def GetEnterprise(
        self, request: members_pb2.GetEnterpriseRequest, context: grpc.aio.ServicerContext
    ) -> members_pb2.Enterprise:
        try:
            enterprise = await handlers.get_enterprise(request.enterprise_id, self._uow())
        except Exception as exc:
            await _abort_for(context, exc)
        return enterprise_to_proto(enterprise)
