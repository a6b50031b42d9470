"""Shared pytest fixtures.

`stack`: PostgreSQL + Kafka for the whole session. When G60_PG_DSN and G60_KAFKA_BOOTSTRAP
are both set (e.g. CI started `python -m g60common.stack up` itself), those are used and
nothing is started here.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from g60common.stack import StackEndpoints, endpoints_from_env, start_stack


@pytest.fixture(scope="session")
def stack() -> Iterator[StackEndpoints]:
    external = endpoints_from_env()
    if external is not None:
        yield external
        return
    local = start_stack()
    try:
        yield local.endpoints
    finally:
        local.stop()
