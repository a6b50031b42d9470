"""Alliance office routes: member institutions and enterprises (members service), and
guarantor capacity (credit service), which a guarantee company reads for itself."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from g60.credit.v1 import credit_pb2
from g60.members.v1 import members_pb2
from g60common.ids import normalized_id
from google.protobuf.field_mask_pb2 import FieldMask

from g60_gateway.adapters.enterprise_credentials import revoke_enterprise_keys
from g60_gateway.adapters.proto_json import to_json
from g60_gateway.domain.principals import PrincipalType
from g60_gateway.entrypoints import bodies, models
from g60_gateway.entrypoints.bodies_onboarding import EnterpriseDecisionBody
from g60_gateway.entrypoints.deps import (
    Anyone,
    GatewayRoute,
    IdemKey,
    Operator,
    OperatorOrGuarantor,
    call,
)
from g60_gateway.entrypoints.idempotent import run_idempotent
from g60_gateway.entrypoints.paging import PRINTABLE, PageSize, PageToken
from g60_gateway.entrypoints.problems import PROBLEM_RESPONSES, Problem

router = APIRouter(responses=PROBLEM_RESPONSES, route_class=GatewayRoute)
Id = Annotated[str, Path(max_length=64, pattern=PRINTABLE)]
Filter = Annotated[str, Query(max_length=64, pattern=PRINTABLE)]
TAG = "alliance office"
_MEMBER_KEYS = (PrincipalType.BANK, PrincipalType.GUARANTOR)
GUARANTOR_CAPACITY = "/v1/guarantors/{guarantor_id}/capacity"


@router.post("/v1/members", status_code=201, response_model=models.Member, tags=[TAG])
async def register_member(
    body: bodies.RegisterMemberBody, request: Request, who: Operator, key: IdemKey
) -> Response:
    """Register a member institution. Retry-safe with the same Idempotency-Key."""

    async def produce() -> models.Member:
        message = members_pb2.RegisterMemberRequest(request_id=key, **body.model_dump())
        reply = await call(request, who, request.app.state.members.RegisterMember, message)
        return models.Member.model_validate(to_json(reply))

    return await run_idempotent(request, who, key, produce)


@router.get("/v1/members", response_model=models.MemberPage, tags=[TAG])
async def list_members(
    request: Request,
    who: Operator,
    page_size: PageSize = 50,
    page_token: PageToken = "",
    home_city: Filter = "",
    institution_type: Filter = "",
    status: Filter = "",
) -> models.MemberPage:
    """Member institutions in id order, filtered; pass next_page_token back for more."""
    message = members_pb2.ListMembersRequest(
        page_size=page_size,
        page_token=page_token,
        home_city=home_city,
        institution_type=institution_type,
        status=status,
    )
    reply = await call(request, who, request.app.state.members.ListMembers, message)
    return models.MemberPage.model_validate(to_json(reply))


@router.get("/v1/members/{member_id}", response_model=models.Member, tags=[TAG])
async def get_member(member_id: Id, request: Request, who: Anyone) -> models.Member:
    """The operator sees any member; a bank or guarantee company only itself; others get
    404."""
    # Keys hold the canonical id; the path may spell it in upper case or with braces.
    member_id = normalized_id(member_id)
    is_self = who.principal_type in _MEMBER_KEYS and who.principal_id == member_id
    if who.principal_type is not PrincipalType.OPERATOR and not is_self:
        raise Problem(404, "Not found", "no such member for this caller")
    message = members_pb2.GetMemberRequest(member_id=member_id)
    reply = await call(request, who, request.app.state.members.GetMember, message)
    return models.Member.model_validate(to_json(reply))


@router.patch("/v1/members/{member_id}", response_model=models.Member, tags=[TAG])
async def update_member(
    member_id: Id, body: bodies.UpdateMemberBody, request: Request, who: Operator, key: IdemKey
) -> Response:
    """Change the fields given; a stale expected_version is 409 (re-read and retry)."""
    changes = body.model_dump(exclude={"expected_version"}, exclude_none=True)

    async def produce() -> models.Member:
        message = members_pb2.UpdateMemberRequest(
            request_id=key,
            member_id=member_id,
            expected_version=body.expected_version,
            member=members_pb2.Member(**changes),
            update_mask=FieldMask(paths=sorted(changes)),
        )
        reply = await call(request, who, request.app.state.members.UpdateMember, message)
        return models.Member.model_validate(to_json(reply))

    return await run_idempotent(request, who, key, produce, 200)


async def _change_status(
    rpc_name: str,
    member_id: str,
    body: bodies.StatusChangeBody,
    request: Request,
    who: Operator,
    key: str,
) -> Response:
    async def produce() -> models.Member:
        message = members_pb2.ChangeMemberStatusRequest(
            request_id=key,
            member_id=member_id,
            reason=body.reason,
            expected_version=body.expected_version or 0,  # 0: no version check
        )
        reply = await call(request, who, getattr(request.app.state.members, rpc_name), message)
        return models.Member.model_validate(to_json(reply))

    return await run_idempotent(request, who, key, produce, 200)


@router.post("/v1/members/{member_id}/suspend", response_model=models.Member, tags=[TAG])
async def suspend_member(
    member_id: Id, body: bodies.StatusChangeBody, request: Request, who: Operator, key: IdemKey
) -> Response:
    """ACTIVE -> SUSPENDED: a suspended bank cannot grant credit."""
    return await _change_status("SuspendMember", member_id, body, request, who, key)


@router.post("/v1/members/{member_id}/reinstate", response_model=models.Member, tags=[TAG])
async def reinstate_member(
    member_id: Id, body: bodies.StatusChangeBody, request: Request, who: Operator, key: IdemKey
) -> Response:
    """SUSPENDED -> ACTIVE."""
    return await _change_status("ReinstateMember", member_id, body, request, who, key)


@router.post("/v1/members/{member_id}/withdraw", response_model=models.Member, tags=[TAG])
async def withdraw_member(
    member_id: Id, body: bodies.StatusChangeBody, request: Request, who: Operator, key: IdemKey
) -> Response:
    """ACTIVE or SUSPENDED -> WITHDRAWN, which is final."""
    return await _change_status("WithdrawMember", member_id, body, request, who, key)


@router.post("/v1/enterprises", status_code=201, response_model=models.Enterprise, tags=[TAG])
async def register_enterprise(
    body: bodies.RegisterEnterpriseBody, request: Request, who: Operator, key: IdemKey
) -> Response:
    """Register an enterprise (SME); then issue it a key with POST /v1/credentials."""

    async def produce() -> models.Enterprise:
        message = members_pb2.RegisterEnterpriseRequest(request_id=key, **body.model_dump())
        reply = await call(request, who, request.app.state.members.RegisterEnterprise, message)
        return models.Enterprise.model_validate(to_json(reply))

    return await run_idempotent(request, who, key, produce)


@router.get("/v1/enterprises", response_model=models.EnterprisePage, tags=[TAG])
async def list_enterprises(
    request: Request,
    who: Operator,
    page_size: PageSize = 50,
    page_token: PageToken = "",
    city: Filter = "",
    industry: Filter = "",
    size_class: Filter = "",
    status: Filter = "",
) -> models.EnterprisePage:
    """Enterprises in id order, filtered; pass next_page_token back for more."""
    message = members_pb2.ListEnterprisesRequest(
        page_size=page_size,
        page_token=page_token,
        city=city,
        industry=industry,
        size_class=size_class,
        status=status,
    )
    reply = await call(request, who, request.app.state.members.ListEnterprises, message)
    return models.EnterprisePage.model_validate(to_json(reply))


@router.get("/v1/enterprises/{enterprise_id}", response_model=models.Enterprise, tags=[TAG])
async def get_enterprise(enterprise_id: Id, request: Request, who: Anyone) -> models.Enterprise:
    """The operator sees any enterprise; an SME only itself; others get 404."""
    enterprise_id = normalized_id(enterprise_id)  # as for members, above
    is_self = who.principal_type is PrincipalType.ENTERPRISE and who.principal_id == enterprise_id
    if who.principal_type is not PrincipalType.OPERATOR and not is_self:
        raise Problem(404, "Not found", "no such enterprise for this caller")
    message = members_pb2.GetEnterpriseRequest(enterprise_id=enterprise_id)
    reply = await call(request, who, request.app.state.members.GetEnterprise, message)
    return models.Enterprise.model_validate(to_json(reply))


@router.patch("/v1/enterprises/{enterprise_id}", response_model=models.Enterprise, tags=[TAG])
async def update_enterprise(
    enterprise_id: Id,
    body: bodies.UpdateEnterpriseBody,
    request: Request,
    who: Operator,
    key: IdemKey,
) -> Response:
    """Change the fields given; a stale expected_version is 409 (re-read and retry)."""
    changes = body.model_dump(exclude={"expected_version"}, exclude_none=True)

    async def produce() -> models.Enterprise:
        message = members_pb2.UpdateEnterpriseRequest(
            request_id=key,
            enterprise_id=enterprise_id,
            expected_version=body.expected_version,
            enterprise=members_pb2.Enterprise(**changes),
            update_mask=FieldMask(paths=sorted(changes)),
        )
        reply = await call(request, who, request.app.state.members.UpdateEnterprise, message)
        return models.Enterprise.model_validate(to_json(reply))

    return await run_idempotent(request, who, key, produce, 200)


async def _change_enterprise_status(
    rpc_name: str,
    enterprise_id: str,
    body: EnterpriseDecisionBody,
    request: Request,
    who: Operator,
    key: str,
) -> Response:
    # Rejected and deregistered enterprises lose their keys. If revoking fails after
    # the status change, the 5xx frees the Idempotency-Key; the retry replays the
    # status change (same request id) and revokes again. Keys hold the canonical id,
    # which the reply carries; the path may spell it otherwise (upper case, braces),
    # and the members service takes any spelling.
    revoke_keys = rpc_name in ("RejectEnterprise", "DeregisterEnterprise")

    async def produce() -> models.Enterprise:
        message = members_pb2.ChangeEnterpriseStatusRequest(
            request_id=key,
            enterprise_id=enterprise_id,
            reason=body.reason,
            expected_version=body.expected_version or 0,
        )
        reply = await call(request, who, getattr(request.app.state.members, rpc_name), message)
        if revoke_keys:
            await revoke_enterprise_keys(request.app.state.pool, reply.enterprise_id)
        return models.Enterprise.model_validate(to_json(reply))

    return await run_idempotent(request, who, key, produce, 200)


ENTERPRISE = "/v1/enterprises/{enterprise_id}"


@router.post(f"{ENTERPRISE}/verify", response_model=models.Enterprise, tags=[TAG])
async def verify_enterprise(
    enterprise_id: Id, body: EnterpriseDecisionBody, request: Request, who: Operator, key: IdemKey
) -> Response:
    """PENDING_VERIFICATION -> ACTIVE: the office has checked a self-registered SME, which
    may now apply for financing and be granted credit lines."""
    return await _change_enterprise_status(
        "VerifyEnterprise", enterprise_id, body, request, who, key
    )


@router.post(f"{ENTERPRISE}/reject", response_model=models.Enterprise, tags=[TAG])
async def reject_enterprise(
    enterprise_id: Id, body: EnterpriseDecisionBody, request: Request, who: Operator, key: IdemKey
) -> Response:
    """PENDING_VERIFICATION -> REJECTED (final): its API keys are revoked and its USCC is
    free again for the real company."""
    return await _change_enterprise_status(
        "RejectEnterprise", enterprise_id, body, request, who, key
    )


@router.post(f"{ENTERPRISE}/deregister", response_model=models.Enterprise, tags=[TAG])
async def deregister_enterprise(
    enterprise_id: Id, body: EnterpriseDecisionBody, request: Request, who: Operator, key: IdemKey
) -> Response:
    """ACTIVE -> DEREGISTERED (注销, final): no new credit, and its API keys are revoked."""
    return await _change_enterprise_status(
        "DeregisterEnterprise", enterprise_id, body, request, who, key
    )


@router.get(GUARANTOR_CAPACITY, response_model=models.GuarantorCapacity, tags=[TAG, "guarantors"])
async def get_guarantor_capacity(
    guarantor_id: Id, request: Request, who: OperatorOrGuarantor
) -> models.GuarantorCapacity:
    """How much guaranteed principal a guarantee company may carry, has in use, and has
    available. The operator reads any; a guarantee company its own; anyone else, or a
    capacity never set, is 404."""
    message = credit_pb2.GetGuarantorCapacityRequest(guarantor_id=guarantor_id)
    reply = await call(request, who, request.app.state.credit.GetGuarantorCapacity, message)
    return models.GuarantorCapacity.model_validate(to_json(reply))


@router.post(GUARANTOR_CAPACITY, response_model=models.GuarantorCapacity, tags=[TAG])
async def set_guarantor_capacity(
    guarantor_id: Id,
    body: bodies.GuarantorCapacityBody,
    request: Request,
    who: Operator,
    key: IdemKey,
) -> Response:
    """Set how much guaranteed principal a guarantee company may carry."""

    async def produce() -> models.GuarantorCapacity:
        message = credit_pb2.SetGuarantorCapacityRequest(
            request_id=key, guarantor_id=guarantor_id, capacity_fen=body.capacity_fen
        )
        reply = await call(request, who, request.app.state.credit.SetGuarantorCapacity, message)
        return models.GuarantorCapacity.model_validate(to_json(reply))

    return await run_idempotent(request, who, key, produce, 200)
