"""HTTP routes: translate JSON into gRPC calls and back, nothing more. This module
holds the cross-cutting routes (totals, credentials, who-am-I) and gathers the
per-area routers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from g60_gateway.adapters.credentials import issue_key, revoke_key
from g60_gateway.adapters.database import RequestPool
from g60_gateway.adapters.principal_directory import check_principal
from g60_gateway.domain.principals import (
    Principal,
    PrincipalClosed,
    PrincipalType,
    UnknownPrincipal,
)
from g60_gateway.domain.totals_view import (
    BANK_DIMENSION,
    BANK_ROWS_REFUSED,
    may_ask_per_bank,
    totals_seen_by,
    totals_view_for,
)
from g60_gateway.entrypoints import (
    bodies,
    models,
    routes_credit_lines,
    routes_dashboard,
    routes_financing,
    routes_members,
    routes_signup,
    routes_webhooks,
)
from g60_gateway.entrypoints.deps import (
    Anyone,
    AnyoneOrAnonymous,
    GatewayRoute,
    IdemKey,
    Operator,
    grpc_metadata,
)
from g60_gateway.entrypoints.idempotent import run_idempotent
from g60_gateway.entrypoints.paging import PRINTABLE
from g60_gateway.entrypoints.problems import (
    PROBLEM_RESPONSES,
    SECRET_ANSWER_RESPONSES,
    Problem,
    field_problem,
)

router = APIRouter(responses=PROBLEM_RESPONSES, route_class=GatewayRoute)
# YYYY-MM of the years 0001-9999, as the aggregator takes them (there is no year 0).
# Spelled without a look-ahead: pydantic's regex engine has none.
MONTH_PATTERN = (
    r"^([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})-(0[1-9]|1[0-2])$"
)
# The aggregator's dimensions (services never import each other; a unit test keeps the
# two lists equal). Checked here, so a typo is a 422 naming `dimension` like any other
# bad query parameter, not the aggregator's bare 400.
TotalsDimension = Literal[
    "enterprise_city", "bank_city", "bank", "institution_type", "industry", "enterprise_size"
]


@router.post(
    "/v1/credentials",
    status_code=201,
    response_model=models.IssuedCredential,
    responses=SECRET_ANSWER_RESPONSES,
    tags=["alliance office"],
)
async def issue_credential(
    body: bodies.IssueCredentialBody, request: Request, who: Operator, key: IdemKey
) -> Response:
    """Issue an API key for a bank, enterprise or operator. The key is shown once (and
    to a retry with the same Idempotency-Key)."""
    pool: RequestPool = request.app.state.pool
    principal_type = PrincipalType(body.principal_type)

    async def produce() -> models.IssuedCredential:
        await _check_principal(request, who, principal_type, body.principal_id)
        async with pool.acquire() as conn:
            issued = await issue_key(conn, principal_type, body.principal_id, body.scopes)
        return models.IssuedCredential(key_id=issued.key_id, api_key=issued.api_key)

    return await run_idempotent(request, who, key, produce, holds_secret=True)


async def _check_principal(
    request: Request, who: Principal, principal_type: PrincipalType, principal_id: str
) -> None:
    """A key only for a bank or enterprise the members service knows (422 otherwise, as
    for any unknown id in a body), and not for one whose lifecycle ended (409)."""
    state = request.app.state
    metadata = grpc_metadata(request, who)
    try:
        await check_principal(
            state.members, principal_type, principal_id, metadata, state.deadline_s
        )
    except UnknownPrincipal as exc:
        raise field_problem("principal_id", str(exc)) from None
    except PrincipalClosed as exc:
        raise field_problem("principal_id", str(exc), 409) from None


@router.delete("/v1/credentials/{key_id}", status_code=204, tags=["alliance office"])
async def revoke_credential(
    key_id: Annotated[str, Path(max_length=64, pattern=PRINTABLE)], request: Request, who: Operator
) -> Response:
    """Revoke a key; it stops working on the next request."""
    async with request.app.state.pool.acquire() as conn:
        if not await revoke_key(conn, key_id):
            raise Problem(404, "Not found", "no active key with this id")
    return Response(status_code=204)


@router.get("/v1/me", response_model=models.Caller, tags=["everyone"])
async def who_am_i(who: Anyone) -> models.Caller:
    """The calling credential: principal and scopes."""
    return models.Caller(
        key_id=who.key_id,
        principal_type=who.principal_type.value,
        principal_id=who.principal_id,
        scopes=sorted(who.scopes),
    )


@router.get("/v1/totals", tags=["everyone"])
async def totals(
    request: Request,
    who: AnyoneOrAnonymous,
    month: Annotated[str | None, Query(pattern=MONTH_PATTERN)] = None,
    dimension: Annotated[TotalsDimension | None, Query()] = None,
) -> Any:
    """Cumulative totals (alliance-wide and by dimension), exact in fen with yuan display
    values. `month=YYYY-MM` gives the cumulative view as of that month; `dimension`
    limits `by` to one dimension. Public, no key needed, except per-bank figures
    (`by.bank`): the alliance office sees every bank's, a bank (with its key) its own
    row, anyone else none, and `dimension=bank` is 403 for them. Every cell counts the
    banks and enterprises behind it (`banks_with_activity`, `enterprises_with_activity`).
    Outside the alliance office a cell with fewer than 3 of either is withheld
    (`{"withheld": true, ...}` instead of its figures), and so are as many of the
    smallest others as it takes for the alliance-wide figure not to give it back."""
    if dimension == BANK_DIMENSION and not may_ask_per_bank(who):
        raise field_problem("dimension", BANK_ROWS_REFUSED, 403)
    params = {k: v for k, v in (("month", month), ("dimension", dimension)) if v}
    params["view"] = totals_view_for(who)
    reply = await request.app.state.http.get("/v1/totals", params=params)
    reply.raise_for_status()
    return totals_seen_by(who, reply.json())


# Every route of the gateway, in matching order. `app.py` adds them to the app flat.
ROUTERS = (
    routes_members.router,
    routes_signup.router,
    routes_credit_lines.router,
    routes_financing.router,
    routes_webhooks.router,
    routes_dashboard.router,
    router,
)
