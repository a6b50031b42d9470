"""Query parameters shared by list routes: bounded page size and an opaque token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

MAX_PAGE_SIZE = 200
# Ids, filters and tokens are plain printable text: control characters (NUL above all,
# which PostgreSQL refuses) are a 422 here rather than a failure further down.
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"

PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="1 to 200, default 50")]
PageToken = Annotated[
    str, Query(max_length=200, pattern=PRINTABLE, description="next_page_token of the last page")
]
