#!/usr/bin/env python3
"""Event stream benchmark: prints figures, asserts nothing (not a timed test).

  tests/bench/stream_bench.py [BUILD_DIR]     (default: build/ of the checkout)

Runs a private PostgreSQL cluster, aduan-intake, aduan-gateway and aduan-stats on loopback, then:
1. latency: submits reports one at a time through the HTTP API while a pyzmq subscriber listens;
   delay = time the subscriber receives the event - the event's "at" (the database's now() of the
   submitting transaction, i.e. its start: an upper bound of commit-to-delivery);
2. throughput: appends a burst of events in one transaction (SQL), and measures how fast the hub
   numbers and publishes them (subscriber side) and how fast a consumer group member
   (aduan-probe-consumer, one row of work per event in the same transaction as its position)
   gets through them.
"""
import os
import statistics
import subprocess
import sys
import threading
import time

import msgpack
import zmq

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "harness"))
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "build")
os.environ.setdefault("ADUAN_BIN_DIR", os.path.join(BUILD, "bin"))

from aduan_harness import Cluster, System, valid_report  # noqa: E402

LATENCY_REPORTS = int(os.environ.get("BENCH_LATENCY_REPORTS", "500"))
BURST_EVENTS = int(os.environ.get("BENCH_BURST_EVENTS", "50000"))


class Subscriber(threading.Thread):
    """Records (seq, receive time in ms, event 'at') for every event published."""

    def __init__(self, endpoint):
        super().__init__(daemon=True)
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.SUB)
        self.sock.setsockopt(zmq.RCVHWM, 0)
        self.sock.setsockopt(zmq.SUBSCRIBE, b"")
        self.sock.connect(endpoint)
        self.records = []
        self.running = True

    def run(self):
        poller = zmq.Poller()
        poller.register(self.sock, zmq.POLLIN)
        while self.running:
            if not poller.poll(100):
                continue
            topic, body = self.sock.recv_multipart()
            now_ms = time.time() * 1000.0
            if topic == b"_heartbeat":
                continue
            event = msgpack.unpackb(body, raw=False)
            self.records.append((event["seq"], now_ms, event["at"]))


def latency(system, sub):
    start = len(sub.records)
    for n in range(LATENCY_REPORTS):
        status, _, _ = system.json("POST", "/api/v1/reports", valid_report(title=f"Laporan bench {n}"))
        assert status == 201, status
    deadline = time.monotonic() + 30
    while len(sub.records) - start < LATENCY_REPORTS and time.monotonic() < deadline:
        time.sleep(0.05)
    delays = sorted(rx - at for _, rx, at in sub.records[start:])
    p99 = delays[max(0, int(len(delays) * 0.99) - 1)]
    print(f"latency: {len(delays)} events submitted one at a time through HTTP")
    print(f"  commit-to-delivery (from transaction start) median {statistics.median(delays):.2f} ms,"
          f" p99 {p99:.2f} ms, max {delays[-1]:.2f} ms")


BURST_SQL = """
INSERT INTO events (event_id, type, schema_version, report_id, tracking_id, actor_role, payload)
SELECT md5(random()::text || g::text), 'bench.burst', 1, r.id, r.tracking_id, 'system', '\\x80'::bytea
FROM generate_series(1, {n}) AS g, (SELECT id, tracking_id FROM reports ORDER BY id LIMIT 1) AS r;
SELECT pg_notify('aduan_events', '');
"""


def throughput(system, sub):
    head_before = int(system.db.scalar("SELECT last_seq FROM event_counter"))
    start = len(sub.records)
    t0 = time.monotonic()
    subprocess.run(["psql", system.db.url, "-qAt", "-v", "ON_ERROR_STOP=1", "-c",
                    BURST_SQL.format(n=BURST_EVENTS)], check=True, capture_output=True)
    t_committed = time.monotonic()
    deadline = t_committed + 300
    while len(sub.records) - start < BURST_EVENTS and time.monotonic() < deadline:
        time.sleep(0.02)
    t_published = time.monotonic()
    got = len(sub.records) - start
    seqs = [r[0] for r in sub.records[start:]]
    in_order = seqs == list(range(head_before + 1, head_before + 1 + got))
    print(f"throughput: burst of {BURST_EVENTS} events appended in one transaction "
          f"({t_committed - t0:.2f} s to commit)")
    print(f"  hub numbered+published, subscriber received {got} in {t_published - t_committed:.2f} s"
          f" = {got / (t_published - t_committed):.0f} events/s (in order, no gap: {in_order})")
    target = head_before + BURST_EVENTS
    probe = system.consumer("aduan-probe-consumer", "benchprobe", {"PROBE_MEMBER": "bench"})
    t1 = time.monotonic()
    probe.start()
    deadline = t1 + 300
    while time.monotonic() < deadline:
        done = int(system.db.scalar("SELECT count(*) FROM probe_work"))
        if done >= target:
            break
        time.sleep(0.2)
    t2 = time.monotonic()
    print(f"  consumer group member (8 partitions, one row of work + position per event): "
          f"{done} events in {t2 - t1:.2f} s = {done / (t2 - t1):.0f} events/s")


def main():
    cluster = Cluster("bench")
    system = None
    try:
        system = System("bench", with_stats=True, cluster_url=cluster.url).start()
        sub = Subscriber(system.stream_endpoint)
        sub.start()
        time.sleep(0.5)
        latency(system, sub)
        throughput(system, sub)
        sub.running = False
    finally:
        if system:
            system.stop()
        cluster.destroy()
    print(f"machine: {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; "
          f"PostgreSQL with fsync off (test cluster)")


if __name__ == "__main__":
    main()
