"""Partner bank routes: webhook registrations, the delivery log and redelivery.
Every query is scoped to the calling bank, so other banks' ids are 404."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, Path, Request, Response

from g60_gateway.adapters import webhook_store
from g60_gateway.domain.webhooks import literal_target_refusal
from g60_gateway.entrypoints import bodies, models
from g60_gateway.entrypoints.deps import Bank, GatewayRoute, IdemKey
from g60_gateway.entrypoints.idempotent import run_idempotent
from g60_gateway.entrypoints.paging import MAX_INT64, PRINTABLE, PageSize, PageToken, int_page_token
from g60_gateway.entrypoints.problems import PROBLEM_RESPONSES, Problem, field_problem

router = APIRouter(responses=PROBLEM_RESPONSES, route_class=GatewayRoute, tags=["webhooks"])
HookId = Annotated[str, Path(max_length=64, pattern=PRINTABLE)]
DeliveryId = Annotated[int, Path(ge=1, le=MAX_INT64)]
HOOK = "/v1/webhooks/{webhook_id}"
MAX_WEBHOOKS_PER_BANK = 20


def _not_found() -> Problem:
    return Problem(404, "Not found", "no such webhook or delivery for this caller")


@router.post("/v1/webhooks", status_code=201, response_model=models.Webhook)
async def register_webhook(
    body: bodies.RegisterWebhookBody, request: Request, who: Bank, key: IdemKey
) -> Response:
    """Receive signed events for this bank at `url`. See docs/gateway.md for verifying
    the X-G60-Signature header (HMAC-SHA256 over `<timestamp>.<body>` with `secret`)."""
    pool = request.app.state.pool
    refusal = literal_target_refusal(httpx.URL(body.url).host)
    if refusal and not request.app.state.allow_private_webhooks:
        raise field_problem("url", refusal)

    async def produce() -> models.Webhook:
        existing = await webhook_store.list_webhooks(pool, who.principal_id, MAX_WEBHOOKS_PER_BANK)
        if len(existing) >= MAX_WEBHOOKS_PER_BANK:
            raise field_problem("url", f"at most {MAX_WEBHOOKS_PER_BANK} webhooks per bank")
        row = await webhook_store.create_webhook(pool, who.principal_id, body.url, body.secret)
        return models.Webhook.model_validate(row)

    return await run_idempotent(request, who, key, produce)


@router.get("/v1/webhooks", response_model=models.WebhookList)
async def list_webhooks(request: Request, who: Bank) -> models.WebhookList:
    """The calling bank's webhooks (the secret is never shown again)."""
    rows = await webhook_store.list_webhooks(
        request.app.state.pool, who.principal_id, MAX_WEBHOOKS_PER_BANK
    )
    return models.WebhookList.model_validate({"webhooks": rows})


@router.get(HOOK, response_model=models.Webhook)
async def get_webhook(webhook_id: HookId, request: Request, who: Bank) -> models.Webhook:
    row = await webhook_store.get_webhook(request.app.state.pool, who.principal_id, webhook_id)
    if row is None:
        raise _not_found()
    return models.Webhook.model_validate(row)


@router.delete(HOOK, status_code=204)
async def delete_webhook(webhook_id: HookId, request: Request, who: Bank) -> Response:
    """Stop deliveries to this webhook; its delivery log stays readable by id."""
    if not await webhook_store.delete_webhook(request.app.state.pool, who.principal_id, webhook_id):
        raise _not_found()
    return Response(status_code=204)


@router.get(f"{HOOK}/deliveries", response_model=models.DeliveryPage)
async def list_deliveries(
    webhook_id: HookId,
    request: Request,
    who: Bank,
    page_size: PageSize = 50,
    page_token: PageToken = "",
) -> models.DeliveryPage:
    """The delivery log, oldest first: status, attempts, last HTTP status and error."""
    after_id = int_page_token(page_token)
    pool = request.app.state.pool
    if await webhook_store.get_webhook(pool, who.principal_id, webhook_id) is None:
        raise _not_found()
    rows = await webhook_store.list_deliveries(
        pool, who.principal_id, webhook_id, after_id, page_size
    )
    token = str(rows[-1]["delivery_id"]) if len(rows) == page_size else ""
    return models.DeliveryPage.model_validate({"deliveries": rows, "next_page_token": token})


@router.post(f"{HOOK}/deliveries/{{delivery_id}}/redeliver", response_model=models.WebhookDelivery)
async def redeliver(
    webhook_id: HookId, delivery_id: DeliveryId, request: Request, who: Bank, key: IdemKey
) -> Response:
    """Send the same event again (same event id and body), e.g. after an outage."""

    async def produce() -> models.WebhookDelivery:
        row = await webhook_store.redeliver(
            request.app.state.pool, who.principal_id, webhook_id, delivery_id
        )
        if row is None:
            raise _not_found()
        request.app.state.webhooks.wake()
        return models.WebhookDelivery.model_validate(row)

    return await run_idempotent(request, who, key, produce, 202)
