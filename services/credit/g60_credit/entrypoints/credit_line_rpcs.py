"""Credit-line RPCs: register, read, amend, freeze, unfreeze, close, list, audit.

Banks write and read their own lines; enterprises read the lines granted to them,
guarantee companies the lines they back. Any other line is NOT_FOUND.
"""

from __future__ import annotations

import grpc
from g60.credit.v1 import credit_pb2
from g60common.ids import canonical_uuid, normalized_id

from g60_credit.adapters.proto_codec import (
    audit_to_proto,
    line_to_proto,
)
from g60_credit.domain.errors import InvalidFields
from g60_credit.domain.model import CreditLine, CreditLineStatus
from g60_credit.domain.queries import AuditRecord, LineQuery, page_size
from g60_credit.entrypoints.rpc_base import RpcBase
from g60_credit.entrypoints.status_mapping import caller_bank_id, line_viewer, page_after, run_rpc
from g60_credit.service_layer import handlers, line_handlers
from g60_credit.service_layer.commands import (
    ChangeCreditLine,
    LineAction,
)


class CreditLineRpcs(RpcBase):
    async def RegisterCreditLine(
        self, request: credit_pb2.RegisterCreditLineRequest, context: grpc.aio.ServicerContext
    ) -> credit_pb2.CreditLine:
        bank_id = await caller_bank_id(context)
        cmd = handlers.RegisterCreditLine(
            bank_id=bank_id,
            request_id=request.request_id,
            enterprise_id=normalized_id(request.enterprise_id),
            product=request.product,
            currency=request.currency,
            limit_fen=request.limit_fen,
            revolving=request.revolving,
            valid_from=request.valid_from,
            valid_to=request.valid_to,
            guarantor_id=normalized_id(request.guarantor_id),
            cover_ratio_bp=request.cover_ratio_bp,
        )
        line = await run_rpc(
            context,
            lambda: handlers.register_credit_line(cmd, self._uow(), self._directory),
            request.request_id,
        )
        return line_to_proto(line)

    async def GetCreditLine(
        self, request: credit_pb2.GetCreditLineRequest, context: grpc.aio.ServicerContext
    ) -> credit_pb2.CreditLine:
        viewer = await line_viewer(context)
        line = await run_rpc(
            context, lambda: handlers.get_credit_line(viewer, request.credit_line_id, self._uow())
        )
        return line_to_proto(line)

    async def _change_line(
        self,
        context: grpc.aio.ServicerContext,
        request_id: str,
        line_id: str,
        action: LineAction,
        reason: str,
        expected_version: int,
        new_limit_fen: int = 0,
    ) -> credit_pb2.CreditLine:
        bank_id = await caller_bank_id(context)
        line_id = normalized_id(line_id)
        cmd = ChangeCreditLine(
            bank_id, request_id, line_id, action, reason, new_limit_fen, expected_version
        )
        line = await run_rpc(
            context, lambda: line_handlers.change_credit_line(cmd, self._uow()), request_id
        )
        return line_to_proto(line)

    async def AmendCreditLimit(
        self, request: credit_pb2.AmendCreditLimitRequest, context: grpc.aio.ServicerContext
    ) -> credit_pb2.CreditLine:
        return await self._change_line(
            context,
            request.request_id,
            request.credit_line_id,
            LineAction.AMEND,
            request.reason,
            request.expected_version,
            request.new_limit_fen,
        )

    async def FreezeCreditLine(
        self, request: credit_pb2.ChangeCreditLineStatusRequest, context: grpc.aio.ServicerContext
    ) -> credit_pb2.CreditLine:
        return await self._change_line(
            context,
            request.request_id,
            request.credit_line_id,
            LineAction.FREEZE,
            request.reason,
            request.expected_version,
        )

    async def UnfreezeCreditLine(
        self, request: credit_pb2.ChangeCreditLineStatusRequest, context: grpc.aio.ServicerContext
    ) -> credit_pb2.CreditLine:
        return await self._change_line(
            context,
            request.request_id,
            request.credit_line_id,
            LineAction.UNFREEZE,
            request.reason,
            request.expected_version,
        )

    async def CloseCreditLine(
        self, request: credit_pb2.ChangeCreditLineStatusRequest, context: grpc.aio.ServicerContext
    ) -> credit_pb2.CreditLine:
        return await self._change_line(
            context,
            request.request_id,
            request.credit_line_id,
            LineAction.CLOSE,
            request.reason,
            request.expected_version,
        )

    async def ListCreditLines(
        self, request: credit_pb2.ListCreditLinesRequest, context: grpc.aio.ServicerContext
    ) -> credit_pb2.ListCreditLinesResponse:
        viewer = await line_viewer(context)
        limit = page_size(request.page_size)

        async def query() -> list[CreditLine]:
            enterprise_id = normalized_id(request.enterprise_id)
            if enterprise_id and canonical_uuid(enterprise_id) is None:
                raise InvalidFields({"enterprise_id": "must be a UUID"})
            if request.status and request.status not in CreditLineStatus.__members__:
                raise InvalidFields({"status": "must be one of " + ", ".join(CreditLineStatus)})
            after = page_after(request.page_token, "uuid")
            q = LineQuery(viewer, request.status, enterprise_id, after, limit)
            return await handlers.list_credit_lines(q, self._uow())

        lines = await run_rpc(context, query)
        token = lines[-1].credit_line_id if len(lines) == limit else ""
        return credit_pb2.ListCreditLinesResponse(
            credit_lines=[line_to_proto(x) for x in lines], next_page_token=token
        )

    async def ListCreditLineAudit(
        self, request: credit_pb2.ListCreditLineAuditRequest, context: grpc.aio.ServicerContext
    ) -> credit_pb2.ListCreditLineAuditResponse:
        bank_id = await caller_bank_id(context)
        limit = page_size(request.page_size)

        async def query() -> list[AuditRecord]:
            after = int(page_after(request.page_token, "int") or 0)
            return await handlers.list_credit_line_audit(
                bank_id, request.credit_line_id, after, limit, self._uow()
            )

        records = await run_rpc(context, query)
        token = str(records[-1].audit_id) if len(records) == limit else ""
        return credit_pb2.ListCreditLineAuditResponse(
            entries=[audit_to_proto(r) for r in records], next_page_token=token
        )
