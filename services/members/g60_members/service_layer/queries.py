"""Read-only queries: listing members and enterprises a page at a time.

Listing is ordered by id, so paging is stable under concurrent registration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from g60_members.domain.listing import EnterpriseFilter, MemberFilter, page_limit
from g60_members.domain.model import Enterprise, Member
from g60_members.service_layer.paging import decode_page_token, encode_page_token
from g60_members.service_layer.unit_of_work import MembersUnitOfWork

T = TypeVar("T", Member, Enterprise)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_page_token: str


async def list_members(
    filters: MemberFilter, page_size: int, page_token: str, uow: MembersUnitOfWork
) -> Page[Member]:
    """Fails with InvalidFields for a bad filter, page size or token."""
    filters.check()
    limit = page_limit(page_size)
    after = decode_page_token(page_token, filters)
    async with uow:
        # One extra row tells whether another page exists without a count query.
        rows = await uow.repo.list_members(filters, after, limit + 1)
    items = rows[:limit]
    more = len(rows) > limit
    return Page(items, encode_page_token(items[-1].member_id, filters) if more else "")


async def list_enterprises(
    filters: EnterpriseFilter, page_size: int, page_token: str, uow: MembersUnitOfWork
) -> Page[Enterprise]:
    """Fails with InvalidFields for a bad filter, page size or token."""
    filters.check()
    limit = page_limit(page_size)
    after = decode_page_token(page_token, filters)
    async with uow:
        rows = await uow.repo.list_enterprises(filters, after, limit + 1)
    items = rows[:limit]
    more = len(rows) > limit
    return Page(items, encode_page_token(items[-1].enterprise_id, filters) if more else "")
