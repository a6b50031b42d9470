"""The transaction skeleton every mutating handler shares.

Claim the caller-scoped request id, run the change, store the response, commit: all
in one transaction. A repeat with the same content gets the stored response; other
content raises IdempotencyConflict before anything is written. A change that raises
rolls everything back, the claim included, so a retry is evaluated afresh.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from g60_credit.domain.queries import AuditEntry
from g60_credit.service_layer.unit_of_work import CreditUnitOfWork

T = TypeVar("T")
# json.dumps(..., sort_keys=True) builds a new encoder on every call.
_SORTED_JSON = json.JSONEncoder(sort_keys=True).encode


# Fields added to commands after their requests were first stored, left out while unset:
# a retry that spans the upgrade must keep the fingerprint its first attempt stored.
_LATER_OPTIONAL_FIELDS = frozenset({"expected_version"})


def fingerprint(command: object) -> bytes:
    # Commands are flat frozen dataclasses of str/int/bool, so vars() is asdict()
    # without the deep copy.
    fields = vars(command)
    if any(fields.get(name) == 0 for name in _LATER_OPTIONAL_FIELDS):
        fields = {k: v for k, v in fields.items() if k not in _LATER_OPTIONAL_FIELDS or v}
    body = _SORTED_JSON(fields)
    return hashlib.sha256(type(command).__name__.encode() + body.encode()).digest()


async def run_idempotent(
    uow: CreditUnitOfWork,
    caller: str,
    command: Any,
    change: Callable[[], Awaitable[T]],
    codec: tuple[Callable[[T], dict[str, Any]], Callable[[dict[str, Any]], T]],
) -> T:
    encode, decode = codec
    async with uow:
        stored = await uow.claim_request(caller, command.request_id, fingerprint(command))
        if stored is not None:
            return decode(json.loads(stored))
        result = await change()
        await uow.record_response(caller, command.request_id, json.dumps(encode(result)).encode())
        await uow.commit()
    return result


def audit_entry(
    aggregate: tuple[str, str],
    action: str,
    who: tuple[str, str],
    before: dict[str, Any] | None,
    after: dict[str, Any],
) -> AuditEntry:
    """`who` is (actor, request id)."""
    return AuditEntry(aggregate[0], aggregate[1], action, who[0], who[1], before, after)


async def audit(
    uow: CreditUnitOfWork,
    aggregate: tuple[str, str],
    action: str,
    who: tuple[str, str],
    before: dict[str, Any] | None,
    after: dict[str, Any],
) -> None:
    """Written in the change's own transaction."""
    await uow.audit.record(audit_entry(aggregate, action, who, before, after))
