"""Opaque page tokens: keyset paging by id, bound to the filters they were issued for.

A token is base64url JSON {"after": last id, "filter": digest of the filters}. Keyset
paging stays correct while rows are added, and a token replayed with other filters
is refused rather than silently skipping rows.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from dataclasses import asdict

from g60_members.domain.listing import EnterpriseFilter, MemberFilter
from g60_members.domain.validation import InvalidFields

_BAD_TOKEN = "is not a page token issued for this listing with these filters"


def _filter_digest(filters: MemberFilter | EnterpriseFilter) -> str:
    body = json.dumps([type(filters).__name__, asdict(filters)], sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def encode_page_token(after_id: str, filters: MemberFilter | EnterpriseFilter) -> str:
    body = json.dumps({"after": after_id, "filter": _filter_digest(filters)})
    return base64.urlsafe_b64encode(body.encode()).decode()


def decode_page_token(token: str, filters: MemberFilter | EnterpriseFilter) -> str:
    """The id to continue after; "" for the first page."""
    if not token:
        return ""
    try:
        body = json.loads(base64.urlsafe_b64decode(token.encode()))
        after, digest = str(uuid.UUID(body["after"])), str(body["filter"])
    except (binascii.Error, ValueError, KeyError, TypeError, AttributeError):
        raise InvalidFields({"page_token": _BAD_TOKEN}) from None
    if digest != _filter_digest(filters):
        raise InvalidFields({"page_token": _BAD_TOKEN})
    return after
