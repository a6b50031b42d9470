"""The alliance office's live dashboard: one static page that polls GET /v1/totals.

Short polling rather than SSE: the page then needs nothing but the public totals
route, works through any proxy, and its freshness is bounded by the poll interval
plus the aggregator's publish interval."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from g60common.corridor import CORRIDOR_CITIES, Industry

router = APIRouter()
_PAGE = Path(__file__).with_name("static") / "dashboard.html"


@cache
def _page() -> str:
    labels = {
        "cities": [
            {"code": c.code, "en": c.name_en, "zh": c.name_zh} for c in CORRIDOR_CITIES.values()
        ],
        "industries": {i.value: {"en": i.label_en, "zh": i.label_zh} for i in Industry},
    }
    return _PAGE.read_text(encoding="utf-8").replace(
        "/*LABELS*/null", json.dumps(labels, ensure_ascii=False)
    )


@router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
async def dashboard() -> HTMLResponse:
    return HTMLResponse(_page(), headers={"Cache-Control": "no-store"})
