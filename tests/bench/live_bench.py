#!/usr/bin/env python3
"""Live updates benchmark: prints figures, asserts nothing (not a timed test).

  tests/bench/live_bench.py [BUILD_DIR] [CLIENTS]     (default: build/ of the checkout, 2000)

Runs a private PostgreSQL cluster, aduan-intake, aduan-stats (the hub) and aduan-gateway with
ADUAN_HTTP_THREADS=2, then opens CLIENTS idle SSE connections to GET /api/v1/live/public and
measures what they cost the gateway (threads, resident memory), how fast an ordinary request is
answered meanwhile, and how long one submitted report takes to reach every client (from the
HTTP answer of the submission to the last client reading its `figures` event).
"""
import os
import resource
import selectors
import socket
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "harness"))
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "build")
CLIENTS = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
ROUNDS = 10
os.environ.setdefault("ADUAN_BIN_DIR", os.path.join(BUILD, "bin"))

from aduan_harness import Cluster, System, valid_report  # noqa: E402


def gateway_cost(pid):
    threads = len(os.listdir(f"/proc/{pid}/task"))
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return threads, rss / 1024


def connect_all(port):
    selector = selectors.DefaultSelector()
    request = b"GET /api/v1/live/public HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    for _ in range(CLIENTS):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(request)
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, bytearray())
    return selector


def read_until(selector, marker, timeout):
    """Reads every client until each has `marker` in what it received; seconds taken, or None."""
    waiting = {key.fileobj for key in selector.get_map().values()}
    start = time.monotonic()
    while waiting and time.monotonic() - start < timeout:
        for key, _ in selector.select(timeout=1):
            data = key.fileobj.recv(65536)
            key.data.extend(data)
            if marker in key.data:
                waiting.discard(key.fileobj)
                del key.data[:]
    return None if waiting else time.monotonic() - start


def request_ms(system, path, n=50):
    times = []
    for _ in range(n):
        t = time.monotonic()
        status = system.request("GET", path)[0]
        times.append((time.monotonic() - t) * 1000)
        assert status == 200, status
    return statistics.median(times), max(times)


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, CLIENTS + 1000)), hard))
    cluster = Cluster("livebench")
    system = None
    try:
        system = System("livebench", with_stats=True, cluster_url=cluster.url,
                        gateway_env={"ADUAN_HTTP_THREADS": "2", "ADUAN_HTTP_CONNECTIONS": str(CLIENTS + 500)}).start()
        system.wait_for(lambda: system.request("GET", "/api/v1/categories")[0] == 200, what="the gateway")
        time.sleep(2)   # the feed hears the hub
        pid = system.gateway.proc.pid
        threads, rss = gateway_cost(pid)
        base_ms = request_ms(system, "/api/v1/categories")
        print(f"gateway before: {threads} threads, {rss:.1f} MiB resident; GET /categories median "
              f"{base_ms[0]:.2f} ms, max {base_ms[1]:.2f} ms")
        t = time.monotonic()
        selector = connect_all(system.http_port)
        opened = read_until(selector, b"retry: 5000", 60)
        print(f"{CLIENTS} SSE clients connected and streaming in {time.monotonic() - t:.2f} s"
              + ("" if opened is not None else " (NOT all answered)"))
        time.sleep(1)
        threads, rss = gateway_cost(pid)
        busy_ms = request_ms(system, "/api/v1/categories")
        print(f"gateway with {CLIENTS} idle streams: {threads} threads, {rss:.1f} MiB resident; GET /categories "
              f"median {busy_ms[0]:.2f} ms, max {busy_ms[1]:.2f} ms")
        rounds = []
        for _ in range(ROUNDS):
            status, _, doc = system.json("POST", "/api/v1/reports", valid_report())
            assert status == 201, doc
            took = read_until(selector, b"event: figures", 30)
            rounds.append(took)
        done = [r for r in rounds if r is not None]
        print(f"one submission to all {CLIENTS} clients ({ROUNDS} rounds, from the 201): median "
              f"{statistics.median(done) * 1000:.0f} ms, max {max(done) * 1000:.0f} ms; "
              f"{ROUNDS - len(done)} rounds not delivered to all within 30 s")
    finally:
        if system:
            system.stop()
        cluster.destroy()
    print(f"machine: {os.cpu_count()} cores (shared with other work); a Debug or RelWithDebInfo build as given")


if __name__ == "__main__":
    main()
