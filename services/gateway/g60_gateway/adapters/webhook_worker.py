"""Webhook delivery, driven by Kafka events rather than request handlers.

Two loops inside the gateway process:
- the consumer reads credit events, works out which banks they concern, and records
  one pending delivery per webhook in the same transaction per event; the Kafka offset
  is committed only after that, so a crash re-reads events and the unique
  (webhook, event id) key drops the duplicates (at-least-once in, exactly-once logged);
- the sender leases due deliveries, POSTs them signed, and records each attempt,
  retrying failures with exponential backoff up to a limit.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer
from g60.events.v1 import credit_events_pb2
from g60common.events import decode_envelope
from g60common.kafka import EVENT_TOPICS, TOPIC_CREDIT_EVENTS, consumer_settings, ensure_topics

from g60_gateway.adapters import webhook_store
from g60_gateway.adapters.proto_json import to_json
from g60_gateway.config import GatewaySettings
from g60_gateway.domain.webhooks import (
    APPLICATION_AGGREGATE,
    WEBHOOK_EVENT_TYPES,
    EventForRouting,
    Recipient,
    backoff_s,
    copies_for,
    is_public_address,
    literal_target_refusal,
    signature,
)

log = logging.getLogger(__name__)
CONSUMER_GROUP = "g60-gateway-webhooks"
LOOP_ERROR_PAUSE_S = 1.0
# Offsets are committed at most this often: a crash re-reads at most this much, and
# the unique (webhook, event id) key makes re-reading harmless.
COMMIT_INTERVAL_S = 1.0


class WebhookWorker:
    def __init__(self, pool: asyncpg.Pool, settings: GatewaySettings) -> None:
        self._pool = pool
        self._settings = settings
        self._wake = asyncio.Event()

    async def run_consumer(self) -> None:
        await _forever("webhook consumer", self._consume)

    async def run_sender(self) -> None:
        await _forever("webhook sender", self._send_loop)

    def wake(self) -> None:
        self._wake.set()

    async def _consume(self) -> None:
        await ensure_topics(self._settings.kafka, EVENT_TOPICS)
        consumer = AIOKafkaConsumer(
            TOPIC_CREDIT_EVENTS, **consumer_settings(self._settings.kafka, group_id=CONSUMER_GROUP)
        )
        await consumer.start()
        uncommitted, committed_at = False, time.monotonic()
        try:
            while True:
                batches = await consumer.getmany(timeout_ms=500, max_records=500)
                records = [r for batch in batches.values() for r in batch]
                for record in records:
                    await self._route(record.value)
                uncommitted = uncommitted or bool(records)
                if uncommitted and time.monotonic() - committed_at >= COMMIT_INTERVAL_S:
                    await consumer.commit()
                    uncommitted, committed_at = False, time.monotonic()
        finally:
            await consumer.stop()

    async def _route(self, raw: bytes) -> None:
        envelope = decode_envelope(raw)
        if envelope.event_type not in WEBHOOK_EVENT_TYPES:
            return
        payload = getattr(credit_events_pb2, envelope.event_type)()
        envelope.payload.Unpack(payload)
        async with self._pool.acquire() as conn, conn.transaction():
            routing = await _routing(conn, envelope.event_type, payload)
            declines = await _declines(conn, envelope, payload)
            copies = copies_for(routing, _document(envelope, payload), declines)
            for body, owners in _bodies(copies):
                await webhook_store.enqueue(
                    conn, owners, envelope.event_id, envelope.event_type, body
                )
        self._wake.set()

    async def _send_loop(self) -> None:
        hooks = self._settings.webhooks
        # A redirect could point anywhere, past the target check: never follow one.
        async with httpx.AsyncClient(
            timeout=hooks.attempt_timeout_s, follow_redirects=False
        ) as client:
            while True:
                due = await webhook_store.lease_due(
                    self._pool, hooks.batch_size, lease_s=4 * hooks.attempt_timeout_s
                )
                if due:
                    await asyncio.gather(*(self._attempt(client, d) for d in due))
                    continue
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), hooks.poll_interval_s)
                except TimeoutError:
                    pass

    async def _check_target(self, url: str) -> str:
        """The address to connect to. Resolved at every attempt, so a DNS name later
        pointed inside is still refused; the attempt then connects to exactly the
        address checked here (see `pinned`), so a second answer from DNS between the
        check and the connection cannot point it inside either."""
        target = httpx.URL(url)
        port = target.port or (443 if target.scheme == "https" else 80)
        if self._settings.webhooks.allow_private_targets:
            return sorted(await _resolved_addresses(target.host, port))[0]
        refusal = literal_target_refusal(target.host)
        if refusal:
            raise TargetRefused(f"url {refusal}")
        try:
            addresses = await _resolved_addresses(target.host, port)
        except OSError as exc:
            log.warning("webhook host %s does not resolve: %s", target.host, exc)
            raise TargetRefused(NOT_PUBLIC) from None
        private = {a for a in addresses if not is_public_address(a)}
        if private:
            log.warning("webhook host %s resolves to non-public %s", target.host, sorted(private))
            raise TargetRefused(NOT_PUBLIC)
        return sorted(addresses)[0]

    async def _attempt(self, client: httpx.AsyncClient, due: webhook_store.DueDelivery) -> None:
        hooks = self._settings.webhooks
        timestamp_s = int(time.time())
        headers = {
            "content-type": "application/json",
            "x-g60-event-id": due.event_id,
            "x-g60-event-type": due.event_type,
            "x-g60-delivery-id": str(due.delivery_id),
            "x-g60-timestamp": str(timestamp_s),
            "x-g60-signature": signature(due.secret, timestamp_s, due.body),
        }
        http_status: int | None = None
        try:
            url, host_headers, extensions = pinned(due.url, await self._check_target(due.url))
            reply = await client.post(
                url, content=due.body, headers={**headers, **host_headers}, extensions=extensions
            )
            http_status = reply.status_code
            error = "" if 200 <= reply.status_code < 300 else f"HTTP {reply.status_code}"
        except (httpx.HTTPError, TargetRefused, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        attempts = due.attempts + 1
        retry_in_s = None
        if error and attempts < hooks.max_attempts:
            retry_in_s = backoff_s(attempts, hooks.backoff_base_s, hooks.backoff_max_s)
        await webhook_store.record_attempt(
            self._pool, due.delivery_id, http_status, error, retry_in_s
        )


def pinned(url: str, address: str) -> tuple[httpx.URL, dict[str, str], dict[str, Any]]:
    """The request to `url`, sent to `address`: the Host header keeps the name (with a
    non-default port), and TLS sends it as SNI and checks the certificate against it."""
    target = httpx.URL(url)
    host = target.host if target.port is None else f"{target.host}:{target.port}"
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    return target.copy_with(host=address), {"host": host}, extensions


class TargetRefused(Exception):
    """The webhook host resolves to an address the gateway must not call."""


# What the bank's delivery log says of a host the gateway will not call. Neither the
# private addresses it resolves to nor whether it resolves at all: both map the
# alliance's internal network for a tenant. The details go to the gateway's log.
NOT_PUBLIC = "url host does not resolve to public addresses only"


async def _resolved_addresses(host: str, port: int) -> set[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return {str(info[4][0]) for info in infos}


async def _routing(conn: asyncpg.Connection, event_type: str, payload: Any) -> EventForRouting:
    application_id = getattr(payload, "application_id", "")
    targets: tuple[str, ...] = ()
    remembered: tuple[str, ...] = ()
    if event_type == "FinancingApplied":
        targets = tuple(payload.target_bank_ids)
        await webhook_store.remember_targets(conn, application_id, list(targets))
    elif application_id:
        remembered = await webhook_store.recall_targets(conn, application_id)
    return EventForRouting(
        event_type,
        payload.parties.bank_id,
        targets,
        remembered,
        guarantor_id=getattr(payload, "guarantor_id", ""),
        enterprise_id=payload.parties.enterprise_id,
        final_decline=getattr(payload, "final", False),
    )


async def _declines(conn: asyncpg.Connection, envelope: Any, payload: Any) -> dict[str, int]:
    """Which banks declined this application, at which version (`delivery_seen_by`);
    nothing for other aggregates, or for an application's first version."""
    if envelope.aggregate_type != APPLICATION_AGGREGATE or envelope.aggregate_version <= 1:
        return {}
    if envelope.event_type == "FinancingRejected":
        await webhook_store.remember_decline(
            conn, payload.application_id, payload.rejecting_bank_id, envelope.aggregate_version
        )
    return await webhook_store.recall_declines(conn, payload.application_id)


def _bodies(copies: list[tuple[Recipient, dict[str, Any]]]) -> list[tuple[bytes, set[Recipient]]]:
    """Each body to send, with the webhook owners that get it: each copy carries only
    what its owner may read (`copies_for`), so owners may get different bodies of one
    event, and owners whose copies are equal share one."""
    by_body: dict[bytes, set[Recipient]] = {}
    for owner, seen in copies:
        body = json.dumps(seen, ensure_ascii=False, sort_keys=True)
        by_body.setdefault(body.encode(), set()).add(owner)
    return list(by_body.items())


def _document(envelope: Any, payload: Any) -> dict[str, Any]:
    return {
        "event_id": envelope.event_id,
        "event_type": envelope.event_type,
        "aggregate_type": envelope.aggregate_type,
        "aggregate_id": envelope.aggregate_id,
        "aggregate_version": envelope.aggregate_version,
        "occurred_at": envelope.occurred_at.ToJsonString(),
        "correlation_id": envelope.correlation_id,
        "data": to_json(payload),
    }


async def _forever(name: str, loop: Any) -> None:
    """Keep a background loop alive across Kafka or database outages."""
    while True:
        try:
            await loop()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed; restarting in %s s", name, LOOP_ERROR_PAUSE_S)
            await asyncio.sleep(LOOP_ERROR_PAUSE_S)
