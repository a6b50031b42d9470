"""`python -m g60_credit`: the credit gRPC service, its outbox relay (unless
G60_CREDIT_OUTBOX_RELAY=separate, see `g60_credit.outbox_relay`), its member
read-model projection and the credit-line expiry sweeper."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import asyncpg
import grpc
from g60.credit.v1 import credit_pb2, credit_pb2_grpc
from g60.members.v1 import members_pb2_grpc
from g60common.config import process_env
from g60common.grpc_server import GrpcService
from g60common.logs import configure_logging
from g60common.runtime import ServiceSpec, serve

from g60_credit.adapters.member_projection import run_member_projection
from g60_credit.adapters.party_directory import ReadThroughPartyDirectory
from g60_credit.adapters.unit_of_work import PgCreditUnitOfWork
from g60_credit.config import CreditSettings
from g60_credit.entrypoints.expiry_sweeper import run_expiry_sweeper
from g60_credit.entrypoints.grpc_servicer import CreditServicer

SERVICE_NAME = credit_pb2.DESCRIPTOR.services_by_name["CreditService"].full_name


def _clock() -> datetime:
    return datetime.now(UTC)


def _services(settings: CreditSettings, pool: asyncpg.Pool) -> list[GrpcService]:
    members = members_pb2_grpc.MembersServiceStub(
        grpc.aio.insecure_channel(settings.members_target)
    )
    timeout_s = settings.postgres.transaction_timeout_s
    directory = ReadThroughPartyDirectory(pool, members, timeout_s)
    servicer = CreditServicer(lambda: PgCreditUnitOfWork(pool, _clock, timeout_s), directory)
    return [
        GrpcService(
            SERVICE_NAME, lambda s: credit_pb2_grpc.add_CreditServiceServicer_to_server(servicer, s)
        )
    ]


def main() -> None:
    settings = CreditSettings.from_env(process_env())
    configure_logging("credit", json_lines=settings.log_json)
    spec = ServiceSpec(
        name="credit",
        grpc_bind=settings.grpc_bind,
        metrics_port=settings.metrics_port,
        metrics_host=settings.listen_host,
        postgres=settings.postgres,
        kafka=settings.kafka,
        schema_files=[Path(__file__).parent / "adapters" / "schema.sql"],
        build_services=partial(_services, settings),
        idempotency=settings.idempotency,
        relay_in_process=settings.relay_in_process,
        relay=settings.relay,
        background=[
            lambda pool, stop: run_member_projection(pool, settings.kafka, stop),
            lambda pool, stop: run_expiry_sweeper(
                lambda: PgCreditUnitOfWork(pool, _clock, settings.postgres.transaction_timeout_s),
                _clock,
                settings.expiry_sweep_interval_s,
                settings.expiry_batch_size,
                stop,
                approval_valid_days=settings.approval_valid_days,
                due_soon_days=settings.due_soon_days,
            ),
        ],
    )
    serve(spec)


if __name__ == "__main__":
    main()
