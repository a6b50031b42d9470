import asyncio, os, re, signal, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, "/work/aggfix")
from aiokafka import AIOKafkaConsumer
from g60_aggregator.synthetic import SyntheticHistory
from g60common.config import KafkaSettings
from g60common.kafka import TOPIC_CREDIT_EVENTS, consumer_settings
from g60common.events import decode_envelope
from g60common.stack import start_stack
from tests.integration.aggregator.conftest import Workers, url_of
from tests.integration.aggregator.helpers import expected_document, poll_totals, produce, metric

async def locate(bootstrap, wanted):
    kafka = KafkaSettings(bootstrap=bootstrap, request_timeout_ms=30_000)
    c = AIOKafkaConsumer(TOPIC_CREDIT_EVENTS, **consumer_settings(kafka, group_id=None))
    await c.start()
    found = {}
    try:
        await c.seek_to_beginning()
        ends = await c.end_offsets(list(c.assignment()))
        while True:
            positions = {tp: await c.position(tp) for tp in ends}
            if all(positions[tp] >= ends[tp] for tp in ends):
                break
            for tp, recs in (await c.getmany(timeout_ms=500, max_records=5000)).items():
                for r in recs:
                    e = decode_envelope(r.value)
                    if (e.aggregate_id, e.aggregate_version) in wanted:
                        found[(e.aggregate_id, e.aggregate_version)] = (tp.partition, r.offset)
    finally:
        await c.stop()
    return found

base = Path(tempfile.mkdtemp(prefix="g60-repro-")); base.chmod(0o755)
logs = base / "logs"; logs.mkdir()
stack = start_stack(base_dir=base)
pool = Workers(stack.kafka_bootstrap, logs)
try:
    history = SyntheticHistory(61, banks=9, enterprises=300).events(48_000)
    asyncio.run(produce(stack.kafka_bootstrap, history))
    a = pool.start("a"); b = pool.start("b")
    while "(Re-)joining group" not in (logs / "b.log").read_text():
        time.sleep(0.02)
    time.sleep(float(os.environ.get("KILL_AFTER", "0.3")))
    b.kill(signal.SIGKILL); b.start(); b.wait_ready()
    print("pids", a.process.pid, b.process.pid, flush=True)
    expected = expected_document(history)
    ok = True
    try:
        poll_totals(url_of(a), expected, timeout_s=120)
    except AssertionError:
        ok = False
        import httpx, json
        for w in (a, b):
            got = httpx.get(f"{url_of(w)}/v1/totals", timeout=5).json()
            from tests.integration.aggregator.helpers import normalise
            gotn = normalise(got)
            for dim in sorted(set(gotn["by"]) | set(expected["by"])):
                g, x = gotn["by"].get(dim, {}), expected["by"].get(dim, {})
                bad = {k: (g.get(k), x.get(k)) for k in sorted(set(g) | set(x)) if g.get(k) != x.get(k)}
                if bad:
                    print("by", w.name, dim, len(bad), json.dumps(dict(list(bad.items())[:3]))[:1500])
            print("alliance", w.name, json.dumps({k: (v, expected["alliance"].get(k)) for k, v in got["alliance"].items() if v != expected["alliance"].get(k)}))
        from g60_aggregator.adapters.topic_replay import TopicReplay
        from g60_aggregator.adapters.totals_view import read_totals_once
        kafka = KafkaSettings(bootstrap=stack.kafka_bootstrap, request_timeout_ms=30_000)
        async def views():
            r = TopicReplay(kafka); await r.start(); await r.read_to_end(lambda _: None); await r.stop()
            return r.sums(), await read_totals_once(kafka, f"{pool.app_id}-totals")
        rep, pub = asyncio.run(views())
        print("replay vs published alliance:", {m: (sum(rep["alliance"].get(m, {}).values()), sum(pub["alliance"].get(m, {}).values())) for m in sorted(rep["alliance"]) if rep["alliance"].get(m) != pub["alliance"].get(m)})
    gaps = []
    for name in ("a", "b"):
        for line in (logs / f"{name}.log").read_text().splitlines():
            m = re.search(r"version gap on (\S+): had (\d+), got (\d+)", line)
            if m:
                gaps += [(m.group(1), v) for v in range(int(m.group(2)) + 1, int(m.group(3)))]
    print("exact" if ok else "NOT EXACT", "gap versions", len(gaps), flush=True)
    if gaps:
        found = asyncio.run(locate(stack.kafka_bootstrap, set(gaps)))
        for k, v in sorted(found.items(), key=lambda kv: kv[1]):
            print("missing", k, "at partition/offset", v)
finally:
    pool.stop_all()
    stack.stop()
    print("logs in", logs)
