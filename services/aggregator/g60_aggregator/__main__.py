"""`python -m g60_aggregator`: one Faust worker of the aggregator."""

from __future__ import annotations

import asyncio

import faust
from g60common.config import process_env
from g60common.kafka import EVENT_TOPICS, TOTALS_TOPIC, ensure_topics

from g60_aggregator.config import AggregatorSettings
from g60_aggregator.entrypoints.app import create_app


def main() -> None:
    settings = AggregatorSettings.from_env(process_env())
    # Topics are created with their real configuration (partitions, retention,
    # compaction) before Faust could auto-create them with defaults.
    asyncio.run(ensure_topics(settings.kafka, (*EVENT_TOPICS, TOTALS_TOPIC)))
    app = create_app(settings)
    faust.Worker(app, loglevel="INFO").execute_from_commandline()


if __name__ == "__main__":
    main()
