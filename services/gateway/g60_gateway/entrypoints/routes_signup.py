"""The public SME sign-up: no API key. The enterprise starts PENDING_VERIFICATION and
gets its own key at once; until the alliance office verifies it, it can read its
profile and applications but gets no credit (the credit service refuses any
enterprise that is not ACTIVE).

Without a credential, the rate limit and the Idempotency-Key are scoped to the client
address, and the members service sees the same scope as the caller. So a replay (and
the key in it) goes only to the same address with the same Idempotency-Key and body;
from elsewhere the same request is a new one, and its USCC is then taken (409)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from g60.members.v1 import members_pb2
from g60common.correlation import CALLER_ID_KEY, CALLER_TYPE_KEY, CORRELATION_HEADER

from g60_gateway.adapters.enterprise_credentials import issue_self_registration_key
from g60_gateway.adapters.proto_json import to_json
from g60_gateway.domain.principals import Principal, PrincipalType
from g60_gateway.domain.rate_limit import retry_after_header_s
from g60_gateway.domain.signup import SIGNUP_CALLER_TYPE, client_address, signup_scope
from g60_gateway.entrypoints import models
from g60_gateway.entrypoints.bodies_onboarding import SelfRegistrationBody
from g60_gateway.entrypoints.deps import GatewayRoute, IdemKey
from g60_gateway.entrypoints.idempotent import run_idempotent
from g60_gateway.entrypoints.problems import PROBLEM_RESPONSES, SECRET_ANSWER_RESPONSES, Problem

router = APIRouter(responses=PROBLEM_RESPONSES, route_class=GatewayRoute, tags=["SMEs"])


async def signup_client(request: Request) -> str:
    """The caller's address, after taking one token from its bucket (429 when empty)."""
    address = client_address(request.client.host if request.client else None)
    wait_s = await request.app.state.signup_limiter.retry_after_s(address)
    if wait_s > 0:
        raise Problem(
            429,
            "Too many requests",
            "too many sign-ups from this address",
            retry_after_s=retry_after_header_s(wait_s),
        )
    return address


SignupClient = Annotated[str, Depends(signup_client)]


@router.post(
    "/v1/sme/register",
    status_code=201,
    response_model=models.SelfRegistration,
    responses=SECRET_ANSWER_RESPONSES,
)
async def register_sme(
    body: SelfRegistrationBody, request: Request, address: SignupClient, key: IdemKey
) -> Response:
    """An SME registers itself (no API key needed). The answer holds its enterprise record
    (status PENDING_VERIFICATION) and its API key, shown once: keep it. A retry with the
    same Idempotency-Key and body from the same address returns the same answer.
    It may apply for financing once the alliance office has verified it."""
    scope = signup_scope(address)
    anonymous = Principal(scope, PrincipalType.ENTERPRISE, "", frozenset())

    async def produce() -> models.SelfRegistration:
        message = members_pb2.SelfRegisterEnterpriseRequest(request_id=key, **body.model_dump())
        metadata = (
            (CALLER_TYPE_KEY, SIGNUP_CALLER_TYPE),
            (CALLER_ID_KEY, address),
            (CORRELATION_HEADER, request.state.correlation_id),
        )
        reply = await request.app.state.members.SelfRegisterEnterprise(
            message, metadata=metadata, timeout=request.app.state.deadline_s
        )
        enterprise = models.Enterprise.model_validate(to_json(reply))
        issued = await issue_self_registration_key(request.app.state.pool, enterprise.enterprise_id)
        credential = models.IssuedCredential(key_id=issued.key_id, api_key=issued.api_key)
        return models.SelfRegistration(enterprise=enterprise, credential=credential)

    return await run_idempotent(request, anonymous, key, produce, holds_secret=True)
