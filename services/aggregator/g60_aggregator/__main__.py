"""`python -m g60_aggregator`: one Faust worker of the aggregator."""

from __future__ import annotations

import asyncio
import logging

import faust
from g60common.config import process_env
from g60common.kafka import EVENT_TOPICS, TOTALS_TOPIC, TopicSpec, ensure_topics
from g60common.logs import limit_repeats

from g60_aggregator.config import AggregatorSettings
from g60_aggregator.entrypoints.app import CHANGELOG_CONFIG, TABLES, create_app


def topics_of(settings: AggregatorSettings) -> tuple[TopicSpec, ...]:
    """Topics this worker reads or writes, with their real configuration."""
    totals = TopicSpec(settings.totals_topic, partitions=1, config=dict(TOTALS_TOPIC.config))
    # Served facts wait here until applied; they must not age out while a worker is down.
    served = TopicSpec(settings.served_topic)
    # Changelogs are created here, not by Faust: with our configuration (compacted, no
    # time-based retention) and before the agents check their partition counts.
    changelogs = tuple(
        TopicSpec(f"{settings.app_id}-{table}-changelog", config=dict(CHANGELOG_CONFIG))
        for table in TABLES
    )
    return (*EVENT_TOPICS, totals, served, *changelogs)


class _Worker(faust.Worker):  # type: ignore[misc]
    """Faust's worker, with repeated log lines held back (g60common.logs.RepeatLimiter):
    during a broker outage the consumer logged the same four lines ~100 times a second."""

    def on_setup_root_logger(self, logger: logging.Logger, level: int) -> None:
        super().on_setup_root_logger(logger, level)
        limit_repeats(logger)


def main() -> None:
    settings = AggregatorSettings.from_env(process_env())
    # Topics are created with their real configuration (partitions, retention,
    # compaction) before Faust could auto-create them with defaults.
    asyncio.run(ensure_topics(settings.kafka, topics_of(settings)))
    app = create_app(settings)
    _Worker(app, loglevel="INFO").execute_from_commandline()


if __name__ == "__main__":
    main()
