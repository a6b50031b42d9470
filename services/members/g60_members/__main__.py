"""`python -m g60_members`: the members gRPC service."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import asyncpg
from g60.members.v1 import members_pb2, members_pb2_grpc
from g60common.config import process_env
from g60common.grpc_server import GrpcService
from g60common.logs import configure_logging
from g60common.runtime import ServiceSpec, serve

from g60_members.adapters.registry_metrics import run_registry_gauges
from g60_members.adapters.unit_of_work import PgMembersUnitOfWork
from g60_members.config import MembersSettings
from g60_members.entrypoints.grpc_servicer import MembersServicer

SERVICE_NAME = members_pb2.DESCRIPTOR.services_by_name["MembersService"].full_name


def _services(settings: MembersSettings, pool: asyncpg.Pool) -> list[GrpcService]:
    timeout_s = settings.postgres.transaction_timeout_s
    servicer = MembersServicer(lambda: PgMembersUnitOfWork(pool, timeout_s=timeout_s))
    return [
        GrpcService(
            SERVICE_NAME,
            lambda s: members_pb2_grpc.add_MembersServiceServicer_to_server(servicer, s),
        )
    ]


def main() -> None:
    settings = MembersSettings.from_env(process_env())
    configure_logging("members", json_lines=settings.log_json)
    spec = ServiceSpec(
        name="members",
        grpc_bind=settings.grpc_bind,
        metrics_port=settings.metrics_port,
        metrics_host=settings.listen_host,
        postgres=settings.postgres,
        kafka=settings.kafka,
        schema_files=[Path(__file__).parent / "adapters" / "schema.sql"],
        build_services=partial(_services, settings),
        idempotency=settings.idempotency,
        background=[
            lambda pool, stop: run_registry_gauges(pool, stop, settings.gauge_refresh_s),
        ],
    )
    serve(spec)


if __name__ == "__main__":
    main()
