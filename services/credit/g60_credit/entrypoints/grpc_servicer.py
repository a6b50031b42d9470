"""gRPC entrypoint of the credit service: proto -> command, domain error -> status."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import grpc
from g60.credit.v1 import credit_pb2, credit_pb2_grpc
from g60common.correlation import CALLER_ID_KEY, CALLER_TYPE_KEY
from g60common.grpc_errors import bad_request_status, error_info_status
from g60common.idempotency import IdempotencyConflict
from google.rpc import code_pb2

from g60_credit.adapters.party_directory import MembersUnavailable
from g60_credit.adapters.proto_codec import line_to_proto
from g60_credit.domain import errors
from g60_credit.service_layer import handlers
from g60_credit.service_layer.unit_of_work import CreditUnitOfWork, PartyDirectory

MAX_REQUEST_ID_CHARS = 128

_PRECONDITION_ERRORS = (errors.BankNotActive, errors.GuarantorNotEligible, errors.UnknownEnterprise)


async def caller_bank_id(context: grpc.aio.ServicerContext) -> str:
    """The gateway authenticates and passes the caller in metadata."""
    md = dict(context.invocation_metadata() or ())
    if md.get(CALLER_TYPE_KEY) != "bank" or not md.get(CALLER_ID_KEY):
        await context.abort(grpc.StatusCode.PERMISSION_DENIED, "only a member bank may do this")
    return str(md[CALLER_ID_KEY])


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
        case MembersUnavailable():
            await context.abort(grpc.StatusCode.UNAVAILABLE, str(exc))
    raise exc


class CreditServicer(credit_pb2_grpc.CreditServiceServicer):
    def __init__(
        self, uow_factory: Callable[[], CreditUnitOfWork], directory: PartyDirectory
    ) -> None:
        self._uow = uow_factory
        self._directory = directory

    async def RegisterCreditLine(
        self, request: credit_pb2.RegisterCreditLineRequest, context: grpc.aio.ServicerContext
    ) -> credit_pb2.CreditLine:
        bank_id = await caller_bank_id(context)
        try:
            require_request_id(request.request_id)
            line = await handlers.register_credit_line(
                handlers.RegisterCreditLine(
                    bank_id=bank_id,
                    request_id=request.request_id,
                    enterprise_id=request.enterprise_id,
                    product=request.product,
                    currency=request.currency,
                    limit_fen=request.limit_fen,
                    revolving=request.revolving,
                    valid_from=request.valid_from,
                    valid_to=request.valid_to,
                    guarantor_id=request.guarantor_id,
                    cover_ratio_bp=request.cover_ratio_bp,
                ),
                self._uow(),
                self._directory,
            )
        except Exception as exc:
            await abort_for(context, exc)
        return line_to_proto(line)

    async def GetCreditLine(
        self, request: credit_pb2.GetCreditLineRequest, context: grpc.aio.ServicerContext
    ) -> credit_pb2.CreditLine:
        bank_id = await caller_bank_id(context)
        try:
            line = await handlers.get_credit_line(bank_id, request.credit_line_id, self._uow())
        except Exception as exc:
            await abort_for(context, exc)
        return line_to_proto(line)

