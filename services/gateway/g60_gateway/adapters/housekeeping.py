"""Periodic database housekeeping (purges, scrubs) that must outlive a database outage."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import asyncpg

from g60_gateway.adapters.database import OUT_OF_SERVICE, DatabaseUnavailable

log = logging.getLogger(__name__)
# What an outage looks like on the background pool (whose statements asyncpg bounds),
# or on the request pool (DatabaseUnavailable): none of it may end the loop.
_OUTAGE = (*OUT_OF_SERVICE, asyncpg.PostgresError, DatabaseUnavailable)


async def every(interval_s: float, what: str, step: Callable[[], Awaitable[object]]) -> None:
    """Run `step` now and then every `interval_s`; a failed step is logged and tried again
    at the next tick."""
    while True:
        try:
            await step()
        except _OUTAGE:
            log.exception("%s failed; next try in %s s", what, interval_s)
        await asyncio.sleep(interval_s)
