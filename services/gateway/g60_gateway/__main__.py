"""`python -m g60_gateway`: the partner-bank and SME REST gateway."""

from __future__ import annotations

import uvicorn
from g60common.config import process_env
from g60common.logs import configure_logging

from g60_gateway.config import GatewaySettings
from g60_gateway.entrypoints.app import create_app


def main() -> None:
    settings = GatewaySettings.from_env(process_env())
    configure_logging("gateway", json_lines=settings.log_json)
    uvicorn.run(
        create_app(settings),
        host=settings.listen_host,
        port=settings.port,
        log_level="warning",
        # Never written at "warning"; off, uvicorn also stops formatting its arguments.
        access_log=False,
        timeout_graceful_shutdown=5,
        loop="uvloop",  # faster asyncpg and gRPC client calls than the default loop
        http="httptools",  # C parser; named so a missing wheel fails loudly, not slowly
    )


if __name__ == "__main__":
    main()
