"""JSON request bodies that mean one thing: an object with a key twice is refused.

json.loads keeps the last value of a repeated key, while other parsers keep the first
or fail. For a money API that is a parser differential: `{"limit_fen": 1, "limit_fen":
999}` may be read as 1 by a proxy, an audit log or a signature check, and as 999 here.
So the body is parsed once, by FastAPI through `Request.json()`, with a hook that
refuses repeated keys at any depth; the Idempotency-Key fingerprint reuses that parse.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request


class DuplicateJsonKey(HTTPException):
    """An HTTPException so FastAPI's body parsing passes it on unchanged (it turns any
    other parse failure into a bare 400); `install_problem_handlers` names the key."""

    def __init__(self, key: str) -> None:
        super().__init__(400, f"key {key!r} appears more than once in one object")
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateJsonKey(key)
            seen.add(key)
    return found


def loads_strict(body: bytes) -> Any:
    return json.loads(body, object_pairs_hook=_unique_keys)


class StrictJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads_strict(await self.body())
        return self._json
