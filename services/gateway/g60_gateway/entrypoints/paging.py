"""Query parameters shared by list routes: bounded page size and an opaque token."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Query

from g60_gateway.entrypoints.problems import field_problem

MAX_PAGE_SIZE = 200
MAX_INT64 = 2**63 - 1
# Ids, filters and tokens are plain printable text: control characters (NUL above all,
# which PostgreSQL refuses) are a 422 here rather than a failure further down.
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
# ASCII digits only: str.isdigit() is also true for "²" and other Unicode digits,
# which int() then refuses. 19 digits bound the number before int() builds it.
_INT_TOKEN = re.compile(r"[0-9]{1,19}")

PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="1 to 200, default 50")]
PageToken = Annotated[
    str, Query(max_length=200, pattern=PRINTABLE, description="next_page_token of the last page")
]


def int_page_token(page_token: str) -> int:
    """The id a numeric page token this gateway issued stands for (0: the first page).
    Anything else, an int64 overflow included, is a 422 naming `page_token`."""
    if not page_token:
        return 0
    if not _INT_TOKEN.fullmatch(page_token) or int(page_token) > MAX_INT64:
        raise field_problem("page_token", "is not a token this gateway issued")
    return int(page_token)
