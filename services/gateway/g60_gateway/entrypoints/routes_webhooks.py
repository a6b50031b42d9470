"""Webhook routes for partner banks, guarantee companies and SMEs: registrations, the
delivery log and redelivery. Every query is scoped to the caller, so other callers'
ids are 404."""

from __future__ import annotations

import re
from typing import Annotated

import httpx
from fastapi import APIRouter, Path, Request, Response

from g60_gateway.adapters import webhook_store
from g60_gateway.domain.principals import Principal, PrincipalType
from g60_gateway.domain.webhooks import (
    OwnerKind,
    Recipient,
    literal_target_refusal,
    url_target_refusal,
)
from g60_gateway.entrypoints import bodies, models
from g60_gateway.entrypoints.deps import GatewayRoute, IdemKey, WebhookOwner
from g60_gateway.entrypoints.idempotent import run_idempotent
from g60_gateway.entrypoints.paging import MAX_INT64, PRINTABLE, PageSize, PageToken, int_page_token
from g60_gateway.entrypoints.problems import PROBLEM_RESPONSES, Problem, field_problem

router = APIRouter(responses=PROBLEM_RESPONSES, route_class=GatewayRoute, tags=["webhooks"])
HookId = Annotated[str, Path(max_length=64, pattern=PRINTABLE)]
DeliveryId = Annotated[int, Path(ge=1, le=MAX_INT64)]
HOOK = "/v1/webhooks/{webhook_id}"
MAX_WEBHOOKS_PER_OWNER = 20
_WEBHOOK_ID = re.compile(r"wh_[0-9a-f]{16}")  # what create_webhook issues


def _owner(who: Principal) -> Recipient:
    """The caller as a webhook owner: an SME's id is from the enterprise register, a
    bank's or guarantee company's from the member register."""
    if who.principal_type is PrincipalType.ENTERPRISE:
        return Recipient(OwnerKind.ENTERPRISE, who.principal_id)
    return Recipient(OwnerKind.MEMBER, who.principal_id)


def _not_found() -> Problem:
    return Problem(404, "Not found", "no such webhook or delivery for this caller")


def _check_url(url: str, allow_private: bool) -> None:
    """422 on `url` unless a delivery could reach it: httpx (which sends every attempt)
    parses it, and its host and port are ones a connection can use. Then, unless the
    local stack allows it, the address must be public (server-side request forgery)."""
    try:
        target = httpx.URL(url)
        host = target.host  # decodes IDNA A-labels, as every delivery attempt does
    except (httpx.InvalidURL, ValueError):  # a bad A-label raises idna's ValueError
        raise field_problem("url", "is not a valid URL") from None
    if target.userinfo:
        # It would be stored, listed and logged in clear, and sent as Basic auth; the
        # signature secret is how a receiver knows a delivery is ours.
        raise field_problem("url", "must not carry a user name or password")
    refusal = url_target_refusal(target.raw_host.decode("ascii", "replace"), target.port)
    if refusal is None and not allow_private:
        refusal = literal_target_refusal(host)
    if refusal:
        raise field_problem("url", refusal)


def _webhook_page_token(page_token: str) -> str:
    """The webhook id a page starts after ("" for the first page)."""
    if page_token and not _WEBHOOK_ID.fullmatch(page_token):
        raise field_problem("page_token", "is not a token this gateway issued")
    return page_token


@router.post("/v1/webhooks", status_code=201, response_model=models.Webhook)
async def register_webhook(
    body: bodies.RegisterWebhookBody, request: Request, who: WebhookOwner, key: IdemKey
) -> Response:
    """Receive signed events for this bank, guarantee company or SME at `url`. A bank:
    applications addressed to it and its loans. A guarantee company: drawdowns,
    repayments, overdue marks and compensations of the loans on lines it backs. An SME:
    its own applications and loans (applied, withdrawn, approved, finally rejected,
    closed, disbursed, repaid, overdue, compensated), never more than it reads on
    `GET /v1/applications/{id}`. At most 20 live webhooks per caller. See
    docs/gateway.md for verifying the X-G60-Signature header (HMAC-SHA256 over
    `<timestamp>.<body>` with `secret`)."""
    pool = request.app.state.pool
    _check_url(body.url, request.app.state.allow_private_webhooks)

    async def produce() -> models.Webhook:
        row = await webhook_store.create_webhook(
            pool, _owner(who), body.url, body.secret, MAX_WEBHOOKS_PER_OWNER
        )
        if row is None:
            raise field_problem("url", f"at most {MAX_WEBHOOKS_PER_OWNER} webhooks per caller")
        return models.Webhook.model_validate(row)

    return await run_idempotent(request, who, key, produce)


@router.get("/v1/webhooks", response_model=models.WebhookList)
async def list_webhooks(
    request: Request, who: WebhookOwner, page_size: PageSize = 50, page_token: PageToken = ""
) -> models.WebhookList:
    """The caller's live webhooks in id order (the secret is never shown again);
    pass next_page_token back for more."""
    rows = await webhook_store.list_webhooks(
        request.app.state.pool, _owner(who), _webhook_page_token(page_token), page_size
    )
    token = rows[-1]["webhook_id"] if len(rows) == page_size else ""
    return models.WebhookList.model_validate({"webhooks": rows, "next_page_token": token})


@router.get(HOOK, response_model=models.Webhook)
async def get_webhook(webhook_id: HookId, request: Request, who: WebhookOwner) -> models.Webhook:
    """One of the caller's live webhooks; anyone else's, or a deleted one, is 404."""
    row = await webhook_store.get_webhook(request.app.state.pool, _owner(who), webhook_id)
    if row is None:
        raise _not_found()
    return models.Webhook.model_validate(row)


@router.delete(HOOK, status_code=204)
async def delete_webhook(webhook_id: HookId, request: Request, who: WebhookOwner) -> Response:
    """Stop deliveries to this webhook for good: pending ones fail, none is redelivered.
    Its delivery log stays readable by id."""
    if not await webhook_store.delete_webhook(request.app.state.pool, _owner(who), webhook_id):
        raise _not_found()
    return Response(status_code=204)


@router.get(f"{HOOK}/deliveries", response_model=models.DeliveryPage)
async def list_deliveries(
    webhook_id: HookId,
    request: Request,
    who: WebhookOwner,
    page_size: PageSize = 50,
    page_token: PageToken = "",
) -> models.DeliveryPage:
    """The delivery log, oldest first: status, attempts, last HTTP status and error.
    Readable after the webhook was deleted."""
    after_id = int_page_token(page_token)
    pool = request.app.state.pool
    owner = _owner(who)
    if not await webhook_store.owns_webhook(pool, owner, webhook_id):
        raise _not_found()
    rows = await webhook_store.list_deliveries(pool, owner, webhook_id, after_id, page_size)
    token = str(rows[-1]["delivery_id"]) if len(rows) == page_size else ""
    return models.DeliveryPage.model_validate({"deliveries": rows, "next_page_token": token})


@router.post(f"{HOOK}/deliveries/{{delivery_id}}/redeliver", response_model=models.WebhookDelivery)
async def redeliver(
    webhook_id: HookId, delivery_id: DeliveryId, request: Request, who: WebhookOwner, key: IdemKey
) -> Response:
    """Send the same event again (same event id and body), e.g. after an outage. A
    deleted webhook gets nothing again: 409."""

    async def produce() -> models.WebhookDelivery:
        try:
            row = await webhook_store.redeliver(
                request.app.state.pool, _owner(who), webhook_id, delivery_id
            )
        except webhook_store.WebhookDeleted:
            raise Problem(
                409, "Webhook deleted", "this webhook was deleted: nothing is sent to it again"
            ) from None
        if row is None:
            raise _not_found()
        request.app.state.webhooks.wake()
        return models.WebhookDelivery.model_validate(row)

    return await run_idempotent(request, who, key, produce, 202)
