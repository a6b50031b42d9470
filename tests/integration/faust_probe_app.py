"""Tiny Faust worker used by test_kafka_compat.py to prove Faust works against our broker.

Run as a subprocess:  python faust_probe_app.py worker -l info --without-web
Configured only through environment variables so each test run gets fresh names:
  G60_PROBE_BROKER      host:port of the Kafka bootstrap server
  G60_PROBE_APP_ID      unique Faust app id (also prefixes the table changelog topic)
  G60_PROBE_IN_TOPIC    topic of (str key, int value) JSON records to count
  G60_PROBE_OUT_TOPIC   topic receiving (key, running total) after every event
  G60_PROBE_DATA_DIR    Faust's data dir
  G60_PROBE_GUARANTEE   "at_least_once" (default) or "exactly_once"
"""

from __future__ import annotations

import os

import faust

app = faust.App(
    os.environ["G60_PROBE_APP_ID"],
    broker=f"kafka://{os.environ['G60_PROBE_BROKER']}",
    store="memory://",
    datadir=os.environ["G60_PROBE_DATA_DIR"],
    topic_partitions=6,
    topic_replication_factor=1,
    processing_guarantee=os.environ.get("G60_PROBE_GUARANTEE", "at_least_once"),
    web_enabled=False,
    key_serializer="json",
    value_serializer="json",
)

# Values stay untyped: the JSON serializer already yields ints, and faust's stubs only
# accept model/bytes/str as value_type.
source = app.topic(os.environ["G60_PROBE_IN_TOPIC"], key_type=str)
results = app.topic(os.environ["G60_PROBE_OUT_TOPIC"], key_type=str)
totals = app.Table("totals", default=int, partitions=6)


@app.agent(source)
async def count(stream: faust.StreamT[int]) -> None:
    async for key, amount in stream.items():
        totals[key] += amount
        await results.send(key=key, value=totals[key])


if __name__ == "__main__":
    app.main()
