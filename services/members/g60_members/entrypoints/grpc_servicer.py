"""gRPC entrypoint: translates protos into commands and domain errors into statuses.

Every mutating RPC is idempotent per (caller, request_id); a replayed answer carries
trailing metadata x-g60-idempotent-replay=true. Failure statuses: INVALID_ARGUMENT
(bad field, reused request id), ALREADY_EXISTS (USCC), NOT_FOUND, FAILED_PRECONDITION
(illegal status change), ABORTED (stale expected_version).

The members service trusts its callers' metadata: the gateway decides who may call
what (only the alliance office verifies, rejects or deregisters enterprises).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeAlias

import grpc
from g60.members.v1 import members_pb2, members_pb2_grpc

from g60_members.adapters.proto_codec import enterprise_to_proto, member_to_proto
from g60_members.domain.listing import EnterpriseFilter, MemberFilter
from g60_members.entrypoints.grpc_translation import (
    abort_for,
    caller_of,
    enterprise_status_command,
    mark_replay,
    require_request_id,
    self_register_command,
    status_command,
    update_enterprise_command,
    update_member_command,
)
from g60_members.service_layer import commands, enterprise_lifecycle, handlers, queries
from g60_members.service_layer.unit_of_work import MembersUnitOfWork

Context: TypeAlias = grpc.aio.ServicerContext


class MembersServicer(members_pb2_grpc.MembersServiceServicer):
    def __init__(self, uow_factory: Callable[[], MembersUnitOfWork]) -> None:
        self._uow = uow_factory

    async def RegisterMember(
        self, request: members_pb2.RegisterMemberRequest, context: Context
    ) -> members_pb2.Member:
        try:
            require_request_id(request.request_id)
            applied = await handlers.register_member(
                commands.RegisterMember(
                    caller=caller_of(context),
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
            await abort_for(context, exc)
        mark_replay(context, applied.replayed)
        return member_to_proto(applied.value)

    async def GetMember(
        self, request: members_pb2.GetMemberRequest, context: Context
    ) -> members_pb2.Member:
        try:
            member = await handlers.get_member(request.member_id, self._uow())
        except Exception as exc:
            await abort_for(context, exc)
        return member_to_proto(member)

    async def ListMembers(
        self, request: members_pb2.ListMembersRequest, context: Context
    ) -> members_pb2.ListMembersResponse:
        filters = MemberFilter(request.home_city, request.institution_type, request.status)
        try:
            page = await queries.list_members(
                filters, request.page_size, request.page_token, self._uow()
            )
        except Exception as exc:
            await abort_for(context, exc)
        return members_pb2.ListMembersResponse(
            members=[member_to_proto(m) for m in page.items],
            next_page_token=page.next_page_token,
        )

    async def UpdateMember(
        self, request: members_pb2.UpdateMemberRequest, context: Context
    ) -> members_pb2.Member:
        try:
            require_request_id(request.request_id)
            command = update_member_command(request, caller_of(context))
            applied = await handlers.update_member(command, self._uow())
        except Exception as exc:
            await abort_for(context, exc)
        mark_replay(context, applied.replayed)
        return member_to_proto(applied.value)

    async def SuspendMember(
        self, request: members_pb2.ChangeMemberStatusRequest, context: Context
    ) -> members_pb2.Member:
        return await self._change_status(request, context, commands.StatusAction.SUSPEND)

    async def ReinstateMember(
        self, request: members_pb2.ChangeMemberStatusRequest, context: Context
    ) -> members_pb2.Member:
        return await self._change_status(request, context, commands.StatusAction.REINSTATE)

    async def WithdrawMember(
        self, request: members_pb2.ChangeMemberStatusRequest, context: Context
    ) -> members_pb2.Member:
        return await self._change_status(request, context, commands.StatusAction.WITHDRAW)

    async def _change_status(
        self,
        request: members_pb2.ChangeMemberStatusRequest,
        context: Context,
        action: commands.StatusAction,
    ) -> members_pb2.Member:
        try:
            require_request_id(request.request_id)
            command = status_command(request, caller_of(context), action)
            applied = await handlers.change_member_status(command, self._uow())
        except Exception as exc:
            await abort_for(context, exc)
        mark_replay(context, applied.replayed)
        return member_to_proto(applied.value)

    async def RegisterEnterprise(
        self, request: members_pb2.RegisterEnterpriseRequest, context: Context
    ) -> members_pb2.Enterprise:
        try:
            require_request_id(request.request_id)
            applied = await handlers.register_enterprise(
                commands.RegisterEnterprise(
                    caller=caller_of(context),
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
                    contact=request.contact,
                ),
                self._uow(),
            )
        except Exception as exc:
            await abort_for(context, exc)
        mark_replay(context, applied.replayed)
        return enterprise_to_proto(applied.value)

    async def GetEnterprise(
        self, request: members_pb2.GetEnterpriseRequest, context: Context
    ) -> members_pb2.Enterprise:
        try:
            enterprise = await handlers.get_enterprise(request.enterprise_id, self._uow())
        except Exception as exc:
            await abort_for(context, exc)
        return enterprise_to_proto(enterprise)

    async def ListEnterprises(
        self, request: members_pb2.ListEnterprisesRequest, context: Context
    ) -> members_pb2.ListEnterprisesResponse:
        filters = EnterpriseFilter(
            request.city, request.industry, request.size_class, request.status
        )
        try:
            page = await queries.list_enterprises(
                filters, request.page_size, request.page_token, self._uow()
            )
        except Exception as exc:
            await abort_for(context, exc)
        return members_pb2.ListEnterprisesResponse(
            enterprises=[enterprise_to_proto(e) for e in page.items],
            next_page_token=page.next_page_token,
        )

    async def UpdateEnterprise(
        self, request: members_pb2.UpdateEnterpriseRequest, context: Context
    ) -> members_pb2.Enterprise:
        try:
            require_request_id(request.request_id)
            command = update_enterprise_command(request, caller_of(context))
            applied = await handlers.update_enterprise(command, self._uow())
        except Exception as exc:
            await abort_for(context, exc)
        mark_replay(context, applied.replayed)
        return enterprise_to_proto(applied.value)

    async def SelfRegisterEnterprise(
        self, request: members_pb2.SelfRegisterEnterpriseRequest, context: Context
    ) -> members_pb2.Enterprise:
        """PENDING_VERIFICATION until the office checks it; INVALID_ARGUMENT lists every
        bad field, ALREADY_EXISTS is a USCC held by a live enterprise."""
        try:
            require_request_id(request.request_id)
            command = self_register_command(request, caller_of(context))
            applied = await enterprise_lifecycle.self_register_enterprise(command, self._uow())
        except Exception as exc:
            await abort_for(context, exc)
        mark_replay(context, applied.replayed)
        return enterprise_to_proto(applied.value)

    async def VerifyEnterprise(
        self, request: members_pb2.ChangeEnterpriseStatusRequest, context: Context
    ) -> members_pb2.Enterprise:
        return await self._change_enterprise_status(
            request, context, commands.EnterpriseAction.VERIFY
        )

    async def RejectEnterprise(
        self, request: members_pb2.ChangeEnterpriseStatusRequest, context: Context
    ) -> members_pb2.Enterprise:
        return await self._change_enterprise_status(
            request, context, commands.EnterpriseAction.REJECT
        )

    async def DeregisterEnterprise(
        self, request: members_pb2.ChangeEnterpriseStatusRequest, context: Context
    ) -> members_pb2.Enterprise:
        return await self._change_enterprise_status(
            request, context, commands.EnterpriseAction.DEREGISTER
        )

    async def _change_enterprise_status(
        self,
        request: members_pb2.ChangeEnterpriseStatusRequest,
        context: Context,
        action: commands.EnterpriseAction,
    ) -> members_pb2.Enterprise:
        """FAILED_PRECONDITION when the lifecycle forbids it, ABORTED on a stale
        expected_version; a retry with the same request id changes nothing."""
        try:
            require_request_id(request.request_id)
            command = enterprise_status_command(request, caller_of(context), action)
            applied = await enterprise_lifecycle.change_enterprise_status(command, self._uow())
        except Exception as exc:
            await abort_for(context, exc)
        mark_replay(context, applied.replayed)
        return enterprise_to_proto(applied.value)
