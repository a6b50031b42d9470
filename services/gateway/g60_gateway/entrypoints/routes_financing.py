"""Financing applications (融资申请): SMEs apply and withdraw; addressed banks approve,
reject, disburse and record repayments; guarantee companies read the loans on the lines
they back, as the lender sees them, and compensate (代偿) the overdue ones. The credit
service enforces who may see which application; anything else is NOT_FOUND -> 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from g60.credit.v1 import credit_pb2

from g60_gateway.adapters.proto_json import to_json
from g60_gateway.domain.principals import Principal
from g60_gateway.entrypoints import bodies, models
from g60_gateway.entrypoints.deps import (
    Bank,
    CreditReader,
    Enterprise,
    GatewayRoute,
    Guarantor,
    IdemKey,
    call,
)
from g60_gateway.entrypoints.idempotent import run_idempotent
from g60_gateway.entrypoints.paging import PRINTABLE, PageSize, PageToken
from g60_gateway.entrypoints.problems import PROBLEM_RESPONSES

router = APIRouter(responses=PROBLEM_RESPONSES, route_class=GatewayRoute, tags=["financing"])
AppId = Annotated[str, Path(max_length=64, pattern=PRINTABLE)]
APP = "/v1/applications/{application_id}"


def _app(reply: credit_pb2.FinancingApplication) -> models.FinancingApplication:
    return models.FinancingApplication.model_validate(to_json(reply))


@router.post("/v1/applications", status_code=201, response_model=models.FinancingApplication)
async def apply_for_financing(
    body: bodies.ApplyForFinancingBody, request: Request, who: Enterprise, key: IdemKey
) -> Response:
    """An SME asks one bank, or (bank_id empty) every active bank of its city."""

    async def produce() -> models.FinancingApplication:
        message = credit_pb2.ApplyForFinancingRequest(request_id=key, **body.model_dump())
        return _app(await call(request, who, request.app.state.credit.ApplyForFinancing, message))

    return await run_idempotent(request, who, key, produce)


@router.get("/v1/applications", response_model=models.ApplicationPage)
async def list_applications(
    request: Request,
    who: CreditReader,
    page_size: PageSize = 50,
    page_token: PageToken = "",
    status: Annotated[str, Query(max_length=16, pattern=PRINTABLE)] = "",
    awaiting_decision: Annotated[
        bool,
        Query(
            description="Banks only: the open applications the bank has neither approved "
            "nor declined (its work queue); 422 for an SME or a guarantee company"
        ),
    ] = False,
    overdue: Annotated[
        bool,
        Query(
            description="Only loans with principal outstanding after their maturity date "
            "(逾期); a bank gets the loans it lends, a guarantee company the loans it backs"
        ),
    ] = False,
    risk_class: Annotated[
        str,
        Query(
            max_length=16,
            pattern=PRINTABLE,
            description="Only applications in this risk class (贷款五级分类) as the caller is "
            "shown it: NORMAL, SPECIAL_MENTION, SUBSTANDARD, DOUBTFUL or LOSS; 422 naming "
            "risk_class for any other value",
        ),
    ] = "",
) -> models.ApplicationPage:
    """An SME's own applications; for a bank, those addressed to it (directly or by
    matchmaking in its city), open or decided; for a guarantee company, those approved
    on lines it backs, as their lender sees them. Id order; filter by status, by what
    still awaits the bank's decision, by loans overdue today, or by risk class."""
    message = credit_pb2.ListFinancingApplicationsRequest(
        status=status,
        page_size=page_size,
        page_token=page_token,
        awaiting_decision=awaiting_decision,
        overdue=overdue,
        risk_class=risk_class,
    )
    reply = await call(request, who, request.app.state.credit.ListFinancingApplications, message)
    return models.ApplicationPage.model_validate(to_json(reply))


@router.get(APP, response_model=models.FinancingApplication)
async def get_application(
    application_id: AppId, request: Request, who: CreditReader
) -> models.FinancingApplication:
    """Visible to the applying SME, the addressed banks, and (once approved) the
    guarantee company backing its line, which sees it as the lender does."""
    message = credit_pb2.GetFinancingApplicationRequest(application_id=application_id)
    return _app(await call(request, who, request.app.state.credit.GetFinancingApplication, message))


@router.post(f"{APP}/withdraw", response_model=models.FinancingApplication)
async def withdraw_application(
    application_id: AppId, body: bodies.ReasonBody, request: Request, who: Enterprise, key: IdemKey
) -> Response:
    """The applying SME, while SUBMITTED."""

    async def produce() -> models.FinancingApplication:
        message = credit_pb2.WithdrawFinancingRequest(
            request_id=key, application_id=application_id, reason=body.reason
        )
        return _app(await call(request, who, request.app.state.credit.WithdrawFinancing, message))

    return await run_idempotent(request, who, key, produce, 200)


@router.post(f"{APP}/approve", response_model=models.FinancingApplication)
async def approve_application(
    application_id: AppId,
    body: bodies.ApproveFinancingBody,
    request: Request,
    who: Bank,
    key: IdemKey,
) -> Response:
    """An addressed bank binds the application to one of its lines; first approval wins."""

    async def produce() -> models.FinancingApplication:
        message = credit_pb2.ApproveFinancingRequest(
            request_id=key,
            application_id=application_id,
            credit_line_id=body.credit_line_id,
            approved_fen=body.approved_fen or 0,
        )
        return _app(await call(request, who, request.app.state.credit.ApproveFinancing, message))

    return await run_idempotent(request, who, key, produce, 200)


@router.post(f"{APP}/reject", response_model=models.FinancingApplication)
async def reject_application(
    application_id: AppId, body: bodies.ReasonBody, request: Request, who: Bank, key: IdemKey
) -> Response:
    """An addressed bank declines; the application is REJECTED once all have declined."""

    async def produce() -> models.FinancingApplication:
        message = credit_pb2.RejectFinancingRequest(
            request_id=key, application_id=application_id, reason=body.reason
        )
        return _app(await call(request, who, request.app.state.credit.RejectFinancing, message))

    return await run_idempotent(request, who, key, produce, 200)


@router.post(f"{APP}/close", response_model=models.FinancingApplication)
async def close_application(
    application_id: AppId, body: bodies.ReasonBody, request: Request, who: Bank, key: IdemKey
) -> Response:
    """The approving bank ends a facility with nothing outstanding."""

    async def produce() -> models.FinancingApplication:
        message = credit_pb2.CloseFinancingRequest(
            request_id=key, application_id=application_id, reason=body.reason
        )
        return _app(await call(request, who, request.app.state.credit.CloseFinancing, message))

    return await run_idempotent(request, who, key, produce, 200)


@router.post(f"{APP}/extensions", response_model=models.FinancingApplication)
async def extend_loan(
    application_id: AppId, body: bodies.ExtendLoanBody, request: Request, who: Bank, key: IdemKey
) -> Response:
    """Extension (展期) by the lending bank: the maturity date moves `months` later, once,
    while principal is outstanding, up to and including the maturity date and never once
    the loan is marked overdue. At most the original term for loans of up to 12 months,
    half of it up to 60 months, 36 months beyond (贷款通则 art. 12). 409 naming the rule
    (LoanNotDisbursed, LoanMatured, LoanOverdue, AlreadyExtended, ExtensionTooLong); 404
    for anyone but the lender."""

    async def produce() -> models.FinancingApplication:
        message = credit_pb2.ExtendLoanRequest(
            request_id=key, application_id=application_id, months=body.months
        )
        return _app(await call(request, who, request.app.state.credit.ExtendLoan, message))

    return await run_idempotent(request, who, key, produce, 200)


async def _move(
    rpc_name: str,
    app_id: str,
    body: bodies.MoveFundsBody,
    request: Request,
    who: Principal,
    key: str,
) -> Response:
    async def produce() -> models.FundsMovement:
        message = credit_pb2.MoveFundsRequest(
            request_id=key, application_id=app_id, amount_fen=body.amount_fen
        )
        reply = await call(request, who, getattr(request.app.state.credit, rpc_name), message)
        return models.FundsMovement.model_validate(to_json(reply))

    return await run_idempotent(request, who, key, produce)


@router.post(f"{APP}/disbursements", status_code=201, response_model=models.FundsMovement)
async def disburse(
    application_id: AppId, body: bodies.MoveFundsBody, request: Request, who: Bank, key: IdemKey
) -> Response:
    """Drawdown (放款) by the approving bank; consumes available credit on the line."""
    return await _move("Drawdown", application_id, body, request, who, key)


@router.post(f"{APP}/repayments", status_code=201, response_model=models.FundsMovement)
async def record_repayment(
    application_id: AppId, body: bodies.MoveFundsBody, request: Request, who: Bank, key: IdemKey
) -> Response:
    """Principal repaid; restores available credit on revolving lines only."""
    return await _move("RecordRepayment", application_id, body, request, who, key)


@router.post(f"{APP}/compensations", status_code=201, response_model=models.FundsMovement)
async def compensate_loan(
    application_id: AppId,
    body: bodies.MoveFundsBody,
    request: Request,
    who: Guarantor,
    key: IdemKey,
) -> Response:
    """Compensation (代偿) by the guarantee company backing the loan's line: it pays the
    bank part of an overdue loan, up to the guarantee the loan still holds. Principal
    is repaid to the bank, as a repayment would be, and the guarantor's capacity is
    released by the amount. 409 when the loan is not marked overdue, or the amount is
    above its outstanding principal or the guarantee it still holds; 404 for a loan on
    a line the caller does not back."""
    return await _move("CompensateLoan", application_id, body, request, who, key)


@router.get(f"{APP}/movements", response_model=models.MovementPage)
async def list_movements(
    application_id: AppId,
    request: Request,
    who: CreditReader,
    page_size: PageSize = 50,
    page_token: PageToken = "",
) -> models.MovementPage:
    """Every drawdown and repayment in the order they happened, each with the
    application's totals once it was made: for the SME, the approving bank and the
    guarantee company backing its line. A bank whose approval lost gets an empty page;
    anyone else 404."""
    message = credit_pb2.ListFundsMovementsRequest(
        application_id=application_id, page_size=page_size, page_token=page_token
    )
    reply = await call(request, who, request.app.state.credit.ListFundsMovements, message)
    return models.MovementPage.model_validate(to_json(reply))


@router.get(f"{APP}/history", response_model=models.HistoryPage)
async def list_history(
    application_id: AppId,
    request: Request,
    who: CreditReader,
    page_size: PageSize = 50,
    page_token: PageToken = "",
) -> models.HistoryPage:
    """The application's changes in order, each with the application after it as the
    caller is shown it. The SME sees every change; an addressed bank the application,
    the approval, a withdrawal and its own decline, plus the loan's changes if it lends;
    the guarantee company backing the line what the lender sees. Request ids are shown
    on the caller's own changes only."""
    message = credit_pb2.ListApplicationHistoryRequest(
        application_id=application_id, page_size=page_size, page_token=page_token
    )
    reply = await call(request, who, request.app.state.credit.ListApplicationHistory, message)
    return models.HistoryPage.model_validate(to_json(reply))
