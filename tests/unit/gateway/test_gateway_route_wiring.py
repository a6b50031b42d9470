"""How the gateway's routes are wired, without any network: the routes sit flat in the
app (one match per request), every API route is a GatewayRoute (which documents the
Idempotency-Key header it reads by hand and releases untaken claims), and the OpenAPI
document still names the header and the API key scheme."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute
from g60_gateway.config import GatewaySettings
from g60_gateway.entrypoints.app import create_app
from g60_gateway.entrypoints.deps import GatewayRoute

PUBLIC = {"/v1/sme/register", "/v1/totals"}  # no API key: sign-up and alliance totals


def _app_routes() -> tuple[list[Any], dict[str, Any]]:
    app = create_app(GatewaySettings.from_env({}))
    return list(app.routes), app.openapi()


def test_api_routes_are_flat_gateway_routes() -> None:
    routes, _ = _app_routes()
    api = [r for r in routes if getattr(r, "path", "").startswith("/v1/")]
    assert len(api) > 40
    assert all(isinstance(r, GatewayRoute) for r in api), [r.path for r in api]
    assert all(isinstance(r, APIRoute) for r in routes[4:]), "no included-router wrappers"


def test_every_write_documents_the_idempotency_key_and_every_api_route_the_key() -> None:
    routes, spec = _app_routes()
    for route in routes:
        if not isinstance(route, GatewayRoute) or not route.include_in_schema:
            continue
        for method in (route.methods or set()) - {"HEAD"}:
            operation = spec["paths"][route.path][method.lower()]
            names = [p["name"] for p in operation.get("parameters", [])]
            expected = 1 if route.takes_idempotency_key else 0
            assert names.count("Idempotency-Key") == expected, (method, route.path)
            if route.path not in PUBLIC:
                assert operation["security"] == [{"APIKeyHeader": []}], (method, route.path)
    assert spec["components"]["securitySchemes"]["APIKeyHeader"]["name"] == "X-API-Key"


def test_posts_take_an_idempotency_key() -> None:
    routes, _ = _app_routes()
    posts = [r for r in routes if isinstance(r, GatewayRoute) and "POST" in (r.methods or set())]
    assert posts and all(r.takes_idempotency_key for r in posts), [
        r.path for r in posts if not r.takes_idempotency_key
    ]
