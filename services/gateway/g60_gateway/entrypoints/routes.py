"""HTTP routes: translate JSON into gRPC calls and back, nothing more."""

from __future__ import annotations

from typing import Annotated, Any

import asyncpg
from fastapi import APIRouter, Depends, Query, Request
from g60.credit.v1 import credit_pb2
from g60.members.v1 import members_pb2

from g60_gateway.adapters.credentials import issue_key
from g60_gateway.domain.principals import Principal, PrincipalType
from g60_gateway.entrypoints import models
from g60_gateway.entrypoints.deps import grpc_metadata, idempotency_key, require

router = APIRouter()
Operator = Annotated[Principal, Depends(require(PrincipalType.OPERATOR))]
Bank = Annotated[Principal, Depends(require(PrincipalType.BANK))]
IdemKey = Annotated[str, Depends(idempotency_key)]


def _dict(message: Any) -> dict[str, Any]:
    """Scalar and repeated-scalar fields; int64 stays a JSON integer (proto3 JSON
    mapping would turn it into a string)."""
    return {
        f.name: _value(getattr(message, f.name))
        for f in message.DESCRIPTOR.fields
        if f.message_type is None
    }


def _value(value: Any) -> Any:
    return value if isinstance(value, str | int | bool | float) else list(value)


@router.post("/v1/members", status_code=201, response_model=models.Member, tags=["alliance office"])
async def register_member(
    body: models.RegisterMemberBody, request: Request, who: Operator, key: IdemKey
) -> dict[str, Any]:
    """Register a member institution. Retry-safe with the same Idempotency-Key."""
    reply = await request.app.state.members.RegisterMember(
        members_pb2.RegisterMemberRequest(request_id=key, **body.model_dump()),
        metadata=grpc_metadata(request, who),
        timeout=request.app.state.deadline_s,
    )
    return _dict(reply)


@router.post(
    "/v1/enterprises", status_code=201, response_model=models.Enterprise, tags=["alliance office"]
)
async def register_enterprise(
    body: models.RegisterEnterpriseBody, request: Request, who: Operator, key: IdemKey
) -> dict[str, Any]:
    """Register an enterprise (SME). Retry-safe with the same Idempotency-Key."""
    reply = await request.app.state.members.RegisterEnterprise(
        members_pb2.RegisterEnterpriseRequest(request_id=key, **body.model_dump()),
        metadata=grpc_metadata(request, who),
        timeout=request.app.state.deadline_s,
    )
    return _dict(reply)


@router.post(
    "/v1/credentials",
    status_code=201,
    response_model=models.IssuedCredential,
    tags=["alliance office"],
)
async def issue_credential(
    body: models.IssueCredentialBody, request: Request, who: Operator, key: IdemKey
) -> dict[str, str]:
    """Issue an API key for a bank, enterprise or operator. The key is shown once."""
    pool: asyncpg.Pool = request.app.state.pool
    async with pool.acquire() as conn:
        issued = await issue_key(
            conn, PrincipalType(body.principal_type), body.principal_id, body.scopes
        )
    return {"key_id": issued.key_id, "api_key": issued.api_key}


@router.post(
    "/v1/credit-lines", status_code=201, response_model=models.CreditLine, tags=["partner banks"]
)
async def register_credit_line(
    body: models.RegisterCreditLineBody, request: Request, who: Bank, key: IdemKey
) -> dict[str, Any]:
    """Register a credit line (授信) for an enterprise. The calling bank is the grantor."""
    reply = await request.app.state.credit.RegisterCreditLine(
        credit_pb2.RegisterCreditLineRequest(request_id=key, **body.model_dump()),
        metadata=grpc_metadata(request, who),
        timeout=request.app.state.deadline_s,
    )
    return _dict(reply)


@router.get(
    "/v1/credit-lines/{credit_line_id}", response_model=models.CreditLine, tags=["partner banks"]
)
async def get_credit_line(credit_line_id: str, request: Request, who: Bank) -> dict[str, Any]:
    """One of the calling bank's credit lines; other banks' ids are 404."""
    reply = await request.app.state.credit.GetCreditLine(
        credit_pb2.GetCreditLineRequest(credit_line_id=credit_line_id),
        metadata=grpc_metadata(request, who),
        timeout=request.app.state.deadline_s,
    )
    return _dict(reply)


@router.get("/v1/totals", tags=["everyone"])
async def totals(
    request: Request,
    month: Annotated[str | None, Query(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")] = None,
) -> Any:
    """Cumulative totals (alliance-wide and by dimension), exact in fen with yuan display
    values. `month=YYYY-MM` gives the cumulative view as of that month."""
    params = {"month": month} if month else {}
    reply = await request.app.state.http.get("/v1/totals", params=params)
    reply.raise_for_status()
    return reply.json()
