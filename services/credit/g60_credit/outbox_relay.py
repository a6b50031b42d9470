"""`python -m g60_credit.outbox_relay`: the credit outbox relay as a process of its own.

For deployments that set G60_CREDIT_OUTBOX_RELAY=separate on the service, so the
gRPC process spends its event loop on requests only. Same relay, same guarantees:
the advisory lock keeps one publisher, and the Kafka transaction with its checkpoint
keeps every committed event exactly once, whichever process publishes it.
"""

from __future__ import annotations

from g60common.config import process_env
from g60common.logs import configure_logging
from g60common.runtime import RelaySpec, serve_relay

from g60_credit.config import CreditSettings


def main() -> None:
    settings = CreditSettings.from_env(process_env())
    configure_logging("credit-relay", json_lines=settings.log_json)
    serve_relay(
        RelaySpec(
            relay=settings.relay,
            metrics_port=settings.relay_metrics_port,
            metrics_host=settings.listen_host,
            postgres=settings.postgres,
            kafka=settings.kafka,
        )
    )


if __name__ == "__main__":
    main()
