"""Financing RPCs: applications, decisions, drawdowns, repayments, guarantor capacity."""

from __future__ import annotations

import grpc
from g60.credit.v1 import credit_pb2
from g60common.ids import normalized_id

from g60_credit.adapters.proto_codec import (
    application_to_proto,
    capacity_to_proto,
    history_entry_to_proto,
    movement_record_to_proto,
    movement_to_proto,
)
from g60_credit.domain.application import ApplicationStatus, FinancingApplication
from g60_credit.domain.errors import InvalidFields
from g60_credit.domain.queries import (
    ApplicationPageQuery,
    ApplicationQuery,
    GuaranteedLoanQuery,
    HistoryEntry,
    MovementRecord,
    page_size,
)
from g60_credit.domain.risk import RiskClass
from g60_credit.entrypoints.rpc_base import RpcBase
from g60_credit.entrypoints.status_mapping import caller_bank_id, caller_of, page_after, run_rpc
from g60_credit.service_layer import (
    compensation_handlers,
    extension_handlers,
    financing_handlers,
    guarantor_handlers,
    money_handlers,
)
from g60_credit.service_layer.commands import (
    ApplyForFinancing,
    CloseFinancing,
    CompensateLoan,
    DecideFinancing,
    ExtendLoan,
    MoveFunds,
    SetGuarantorCapacity,
    WithdrawFinancing,
)

# A guarantee company reads the loans on the lines it backs (guarantor_handlers).
APPLICATION_READERS = ("bank", "enterprise", "guarantor")


class FinancingRpcs(RpcBase):
    async def ApplyForFinancing(
        self, request: credit_pb2.ApplyForFinancingRequest, context: grpc.aio.ServicerContext
    ) -> credit_pb2.FinancingApplication:
        _, enterprise_id = await caller_of(context, "enterprise")
        cmd = ApplyForFinancing(
            enterprise_id,
            request.request_id,
            normalized_id(request.bank_id),
            request.currency,
            request.amount_fen,
            request.term_months,
            request.purpose,
        )
        app = await run_rpc(
            context,
            lambda: financing_handlers.apply_for_financing(cmd, self._uow(), self._directory),
            request.request_id,
        )
        return application_to_proto(app, self._today())

    async def GetFinancingApplication(
        self, request: credit_pb2.GetFinancingApplicationRequest, context: grpc.aio.ServicerContext
    ) -> credit_pb2.FinancingApplication:
        caller_type, caller_id = await caller_of(context, *APPLICATION_READERS)
        app_id = normalized_id(request.application_id)

        async def read() -> FinancingApplication:
            if caller_type == "guarantor":
                return await guarantor_handlers.get_guaranteed_loan(caller_id, app_id, self._uow())
            return await financing_handlers.get_application(
                caller_type, caller_id, app_id, self._uow()
            )

        return application_to_proto(await run_rpc(context, read), self._today())

    async def ListFinancingApplications(
        self,
        request: credit_pb2.ListFinancingApplicationsRequest,
        context: grpc.aio.ServicerContext,
    ) -> credit_pb2.ListFinancingApplicationsResponse:
        caller_type, caller_id = await caller_of(context, *APPLICATION_READERS)
        limit = page_size(request.page_size)
        is_enterprise = caller_type == "enterprise"

        async def query() -> list[FinancingApplication]:
            if request.status and request.status not in ApplicationStatus.__members__:
                raise InvalidFields({"status": "must be one of " + ", ".join(ApplicationStatus)})
            if request.risk_class and request.risk_class not in RiskClass.__members__:
                raise InvalidFields({"risk_class": "must be one of " + ", ".join(RiskClass)})
            if request.awaiting_decision and caller_type != "bank":
                raise InvalidFields({"awaiting_decision": "is for banks (their work queue)"})
            after = page_after(request.page_token, "uuid")
            if caller_type == "guarantor":
                loans = GuaranteedLoanQuery(
                    caller_id, request.status, after, limit, request.overdue, request.risk_class
                )
                return await guarantor_handlers.list_guaranteed_loans(loans, self._uow())
            q = ApplicationQuery(
                enterprise_id=caller_id if is_enterprise else "",
                bank_id="" if is_enterprise else caller_id,
                status=request.status,
                after_id=after,
                limit=limit,
                awaiting_decision=request.awaiting_decision,
                overdue=request.overdue,
                risk_class=request.risk_class,
            )
            return await financing_handlers.list_applications(q, self._uow())

        apps = await run_rpc(context, query)
        token = apps[-1].application_id if len(apps) == limit else ""
        today = self._today()
        return credit_pb2.ListFinancingApplicationsResponse(
            applications=[application_to_proto(a, today) for a in apps], next_page_token=token
        )

    async def WithdrawFinancing(
        self, request: credit_pb2.WithdrawFinancingRequest, context: grpc.aio.ServicerContext
    ) -> credit_pb2.FinancingApplication:
        _, enterprise_id = await caller_of(context, "enterprise")
        cmd = WithdrawFinancing(
            enterprise_id, request.request_id, normalized_id(request.application_id), request.reason
        )
        app = await run_rpc(
            context,
            lambda: financing_handlers.withdraw_financing(cmd, self._uow()),
            request.request_id,
        )
        return application_to_proto(app, self._today())

    async def _decide(
        self, context: grpc.aio.ServicerContext, cmd: DecideFinancing
    ) -> credit_pb2.FinancingApplication:
        app = await run_rpc(
            context, lambda: financing_handlers.decide_financing(cmd, self._uow()), cmd.request_id
        )
        return application_to_proto(app, self._today())

    async def ApproveFinancing(
        self, request: credit_pb2.ApproveFinancingRequest, context: grpc.aio.ServicerContext
    ) -> credit_pb2.FinancingApplication:
        bank_id = await caller_bank_id(context)
        return await self._decide(
            context,
            DecideFinancing(
                bank_id,
                request.request_id,
                normalized_id(request.application_id),
                approve=True,
                credit_line_id=normalized_id(request.credit_line_id),
                approved_fen=request.approved_fen,
            ),
        )

    async def RejectFinancing(
        self, request: credit_pb2.RejectFinancingRequest, context: grpc.aio.ServicerContext
    ) -> credit_pb2.FinancingApplication:
        bank_id = await caller_bank_id(context)
        return await self._decide(
            context,
            DecideFinancing(
                bank_id,
                request.request_id,
                normalized_id(request.application_id),
                approve=False,
                reason=request.reason,
            ),
        )

    async def CloseFinancing(
        self, request: credit_pb2.CloseFinancingRequest, context: grpc.aio.ServicerContext
    ) -> credit_pb2.FinancingApplication:
        bank_id = await caller_bank_id(context)
        cmd = CloseFinancing(
            bank_id, request.request_id, normalized_id(request.application_id), request.reason
        )
        app = await run_rpc(
            context,
            lambda: financing_handlers.close_financing(cmd, self._uow()),
            request.request_id,
        )
        return application_to_proto(app, self._today())

    async def ExtendLoan(
        self, request: credit_pb2.ExtendLoanRequest, context: grpc.aio.ServicerContext
    ) -> credit_pb2.FinancingApplication:
        """Lender only; see extension_handlers.extend_loan for the rules and races."""
        bank_id = await caller_bank_id(context)
        cmd = ExtendLoan(
            bank_id, request.request_id, normalized_id(request.application_id), request.months
        )
        app = await run_rpc(
            context, lambda: extension_handlers.extend_loan(cmd, self._uow()), request.request_id
        )
        return application_to_proto(app, self._today())

    async def _move(
        self,
        context: grpc.aio.ServicerContext,
        request: credit_pb2.MoveFundsRequest,
        repayment: bool,
    ) -> credit_pb2.MoveFundsResponse:
        bank_id = await caller_bank_id(context)
        cmd = MoveFunds(
            bank_id,
            request.request_id,
            normalized_id(request.application_id),
            request.amount_fen,
            repayment,
        )
        result = await run_rpc(
            context, lambda: money_handlers.move_funds(cmd, self._uow()), request.request_id
        )
        return movement_to_proto(result, self._today())

    async def Drawdown(
        self, request: credit_pb2.MoveFundsRequest, context: grpc.aio.ServicerContext
    ) -> credit_pb2.MoveFundsResponse:
        return await self._move(context, request, repayment=False)

    async def RecordRepayment(
        self, request: credit_pb2.MoveFundsRequest, context: grpc.aio.ServicerContext
    ) -> credit_pb2.MoveFundsResponse:
        return await self._move(context, request, repayment=True)

    async def CompensateLoan(
        self, request: credit_pb2.MoveFundsRequest, context: grpc.aio.ServicerContext
    ) -> credit_pb2.MoveFundsResponse:
        """Guarantor only; idempotent per guarantor and request id. NOT_FOUND unless the
        caller backs the loan's line; FAILED_PRECONDITION LoanNotOverdue,
        RepaymentExceedsOutstanding, CompensationExceedsGuarantee."""
        _, guarantor_id = await caller_of(context, "guarantor")
        cmd = CompensateLoan(
            guarantor_id,
            request.request_id,
            normalized_id(request.application_id),
            request.amount_fen,
        )
        result = await run_rpc(
            context,
            lambda: compensation_handlers.compensate_loan(cmd, self._uow()),
            request.request_id,
        )
        return movement_to_proto(result, self._today())

    async def ListFundsMovements(
        self, request: credit_pb2.ListFundsMovementsRequest, context: grpc.aio.ServicerContext
    ) -> credit_pb2.ListFundsMovementsResponse:
        caller_type, caller_id = await caller_of(context, *APPLICATION_READERS)
        limit = page_size(request.page_size)

        async def query() -> list[MovementRecord]:
            q = _page_of_application(request, limit)
            if caller_type == "guarantor":
                return await guarantor_handlers.guaranteed_movements(caller_id, q, self._uow())
            return await financing_handlers.list_movements(caller_type, caller_id, q, self._uow())

        movements = await run_rpc(context, query)
        token = str(movements[-1].sequence) if len(movements) == limit else ""
        return credit_pb2.ListFundsMovementsResponse(
            movements=[movement_record_to_proto(m) for m in movements], next_page_token=token
        )

    async def ListApplicationHistory(
        self,
        request: credit_pb2.ListApplicationHistoryRequest,
        context: grpc.aio.ServicerContext,
    ) -> credit_pb2.ListApplicationHistoryResponse:
        caller_type, caller_id = await caller_of(context, *APPLICATION_READERS)
        limit = page_size(request.page_size)

        async def query() -> tuple[list[HistoryEntry], int]:
            q = _page_of_application(request, limit)
            if caller_type == "guarantor":
                return await guarantor_handlers.guaranteed_history(caller_id, q, self._uow())
            return await financing_handlers.application_history(
                caller_type, caller_id, q, self._uow()
            )

        entries, last_read = await run_rpc(context, query)
        return credit_pb2.ListApplicationHistoryResponse(
            entries=[history_entry_to_proto(e) for e in entries],
            next_page_token=str(last_read) if last_read else "",
        )

    async def SetGuarantorCapacity(
        self, request: credit_pb2.SetGuarantorCapacityRequest, context: grpc.aio.ServicerContext
    ) -> credit_pb2.GuarantorCapacity:
        _, operator_id = await caller_of(context, "operator")
        cmd = SetGuarantorCapacity(
            operator_id,
            request.request_id,
            normalized_id(request.guarantor_id),
            request.capacity_fen,
        )
        capacity = await run_rpc(
            context,
            lambda: money_handlers.set_guarantor_capacity(cmd, self._uow(), self._directory),
            request.request_id,
        )
        return capacity_to_proto(capacity)


def _page_of_application(
    request: credit_pb2.ListFundsMovementsRequest | credit_pb2.ListApplicationHistoryRequest,
    limit: int,
) -> ApplicationPageQuery:
    """The page of one application's records a request asks for; its token is a record
    number this service issued."""
    after = int(page_after(request.page_token, "int") or 0)
    return ApplicationPageQuery(normalized_id(request.application_id), after, limit)
