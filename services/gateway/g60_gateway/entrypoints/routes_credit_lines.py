"""Partner bank routes: credit lines (授信). The credit service scopes every call to the
calling bank, so another bank's line id is NOT_FOUND -> 404. SMEs read the lines
granted to them, guarantee companies the lines they back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from g60.credit.v1 import credit_pb2

from g60_gateway.adapters.proto_json import to_json
from g60_gateway.entrypoints import bodies, models
from g60_gateway.entrypoints.deps import Bank, CreditReader, GatewayRoute, IdemKey, call
from g60_gateway.entrypoints.idempotent import run_idempotent
from g60_gateway.entrypoints.paging import PRINTABLE, PageSize, PageToken
from g60_gateway.entrypoints.problems import PROBLEM_RESPONSES

router = APIRouter(responses=PROBLEM_RESPONSES, route_class=GatewayRoute, tags=["partner banks"])
LineId = Annotated[str, Path(max_length=64, pattern=PRINTABLE)]
LINE = "/v1/credit-lines/{credit_line_id}"


def _line(reply: credit_pb2.CreditLine) -> models.CreditLine:
    return models.CreditLine.model_validate(to_json(reply))


@router.post("/v1/credit-lines", status_code=201, response_model=models.CreditLine)
async def register_credit_line(
    body: bodies.RegisterCreditLineBody, request: Request, who: Bank, key: IdemKey
) -> Response:
    """Register a credit line (授信) for an enterprise. The calling bank is the grantor."""

    async def produce() -> models.CreditLine:
        message = credit_pb2.RegisterCreditLineRequest(request_id=key, **body.model_dump())
        return _line(await call(request, who, request.app.state.credit.RegisterCreditLine, message))

    return await run_idempotent(request, who, key, produce)


@router.get("/v1/credit-lines", response_model=models.CreditLinePage)
async def list_credit_lines(
    request: Request,
    who: CreditReader,
    page_size: PageSize = 50,
    page_token: PageToken = "",
    status: Annotated[
        str, Query(max_length=16, pattern=PRINTABLE, description="ACTIVE, FROZEN, …")
    ] = "",
    enterprise_id: Annotated[str, Query(max_length=64, pattern=PRINTABLE)] = "",
) -> models.CreditLinePage:
    """A bank's own lines, an SME's lines from every bank, or the lines a guarantee
    company backs, in id order; pass next_page_token back for more."""
    message = credit_pb2.ListCreditLinesRequest(
        status=status, enterprise_id=enterprise_id, page_size=page_size, page_token=page_token
    )
    reply = await call(request, who, request.app.state.credit.ListCreditLines, message)
    return models.CreditLinePage.model_validate(to_json(reply))


@router.get(LINE, response_model=models.CreditLine)
async def get_credit_line(
    credit_line_id: LineId, request: Request, who: CreditReader
) -> models.CreditLine:
    """A line the calling bank granted, one granted to the calling SME, or one the calling
    guarantee company backs; others are 404."""
    message = credit_pb2.GetCreditLineRequest(credit_line_id=credit_line_id)
    return _line(await call(request, who, request.app.state.credit.GetCreditLine, message))


@router.post(f"{LINE}/amend", response_model=models.CreditLine)
async def amend_credit_limit(
    credit_line_id: LineId,
    body: bodies.AmendCreditLimitBody,
    request: Request,
    who: Bank,
    key: IdemKey,
) -> Response:
    """Change the limit. Below reserved + utilized is 409 (FAILED_PRECONDITION)."""

    async def produce() -> models.CreditLine:
        message = credit_pb2.AmendCreditLimitRequest(
            request_id=key,
            credit_line_id=credit_line_id,
            new_limit_fen=body.new_limit_fen,
            reason=body.reason,
            expected_version=body.expected_version or 0,  # 0: no version check
        )
        return _line(await call(request, who, request.app.state.credit.AmendCreditLimit, message))

    return await run_idempotent(request, who, key, produce, 200)


async def _change_status(
    rpc_name: str, line_id: str, body: bodies.LineStatusBody, request: Request, who: Bank, key: str
) -> Response:
    async def produce() -> models.CreditLine:
        message = credit_pb2.ChangeCreditLineStatusRequest(
            request_id=key,
            credit_line_id=line_id,
            reason=body.reason,
            expected_version=body.expected_version or 0,  # 0: no version check
        )
        return _line(await call(request, who, getattr(request.app.state.credit, rpc_name), message))

    return await run_idempotent(request, who, key, produce, 200)


@router.post(f"{LINE}/freeze", response_model=models.CreditLine)
async def freeze_credit_line(
    credit_line_id: LineId, body: bodies.LineStatusBody, request: Request, who: Bank, key: IdemKey
) -> Response:
    """ACTIVE -> FROZEN: no new drawdowns until unfrozen."""
    return await _change_status("FreezeCreditLine", credit_line_id, body, request, who, key)


@router.post(f"{LINE}/unfreeze", response_model=models.CreditLine)
async def unfreeze_credit_line(
    credit_line_id: LineId, body: bodies.LineStatusBody, request: Request, who: Bank, key: IdemKey
) -> Response:
    """FROZEN -> ACTIVE."""
    return await _change_status("UnfreezeCreditLine", credit_line_id, body, request, who, key)


@router.post(f"{LINE}/close", response_model=models.CreditLine)
async def close_credit_line(
    credit_line_id: LineId, body: bodies.LineStatusBody, request: Request, who: Bank, key: IdemKey
) -> Response:
    """Close for good; refused (409) while principal is outstanding."""
    return await _change_status("CloseCreditLine", credit_line_id, body, request, who, key)


@router.get(f"{LINE}/audit", response_model=models.AuditPage)
async def list_credit_line_audit(
    credit_line_id: LineId,
    request: Request,
    who: Bank,
    page_size: PageSize = 50,
    page_token: PageToken = "",
) -> models.AuditPage:
    """Every change of the line: actor, time, request id, before and after."""
    message = credit_pb2.ListCreditLineAuditRequest(
        credit_line_id=credit_line_id, page_size=page_size, page_token=page_token
    )
    reply = await call(request, who, request.app.state.credit.ListCreditLineAudit, message)
    return models.AuditPage.model_validate(to_json(reply))
