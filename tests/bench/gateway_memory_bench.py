"""Where the gateway's memory goes after the load of tests/e2e/test_gateway_memory.py: RSS, and
its anonymous and file-backed parts with the largest mappings (/proc/PID/smaps), at start, after
the HTTP burst, idle after it, and idle after the events written into the log (docs/performance.md,
branch gwmem). Idle: as the e2e test judges it (wait_quiet).

    ADUAN_TEST_DB_URL=... /usr/bin/python3 tests/bench/gateway_memory_bench.py BUILD_DIR [--events N]
        [--burst-seconds S] [--clients N]

ADUAN_TEST_DB_URL: a cluster's URL (tests/harness/pg_cluster.sh start DIR --fast; ... url DIR)."""
import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


def smaps(pid):
    """RSS in anonymous and file-backed mappings, and the largest mappings (RSS / size)."""
    anon = files = 0
    maps, name, size = [], None, 0
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            fields = line.split()
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                start, end = (int(x, 16) for x in fields[0].split("-"))
                name, size = (fields[5] if len(fields) > 5 else "[anon]"), end - start
            elif fields[0] == "Rss:":
                kb = int(fields[1])
                files, anon = (files + kb, anon) if name.startswith("/") else (files, anon + kb)
                if kb >= 512:
                    maps.append((kb, os.path.basename(name), size))
    maps.sort(reverse=True)
    return (f"anon {anon / 1024:.1f} MB, files {files / 1024:.1f} MB; largest "
            + ", ".join(f"{n} {kb / 1024:.1f} MB of {s}" for kb, n, s in maps[:6]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--events", type=int, default=40000)
    ap.add_argument("--burst-seconds", type=float, default=5.0)
    ap.add_argument("--clients", type=int, default=16)
    a = ap.parse_args()
    os.environ["ADUAN_BIN_DIR"] = os.path.join(os.path.abspath(a.build), "bin")
    sys.path[:0] = [os.path.join(TOP, "tests", "harness"), os.path.join(TOP, "tests", "e2e")]
    import test_gateway_memory as load
    load.BURST_S, load.CLIENTS = a.burst_seconds, a.clients

    load.GatewayMemoryTest.setUpClass()
    try:
        case = load.GatewayMemoryTest("test_an_idle_gateway_after_a_load_holds_at_most_20_mb")
        sys_, pid = case.sys, case.sys.gateway.proc.pid
        show = lambda what: print(f"{what}: RSS {load.rss_kb(pid) / 1024:.1f} MB; {smaps(pid)}", flush=True)
        load.wait_quiet(pid, timeout=60)
        show("idle at start")
        status, _, doc = sys_.json("POST", "/api/v1/reports", load.valid_report())
        case.burst([doc["tracking_id"]])
        show("right after the burst")
        load.wait_quiet(pid, timeout=120)
        show("idle after the burst")
        sys_.db.scalar(load.REPORTS.format(n=a.events))
        sys_.db.scalar(load.EVENTS)
        total = sys_.db.count("events")
        sys_.wait_for(lambda: int(sys_.db.scalar("SELECT count(*) FROM events WHERE seq IS NOT NULL")) == total,
                      timeout=300, what="the hub numbering the log")
        load.wait_feed_reached(sys_.http_port, int(sys_.db.scalar("SELECT max(seq) FROM events")), timeout=300)
        load.wait_quiet(pid, timeout=120)
        show(f"idle after {a.events} events")
    finally:
        load.GatewayMemoryTest.tearDownClass()


if __name__ == "__main__":
    main()
