#!/usr/bin/env python3
"""Statistics benchmark: prints figures, asserts nothing (not a timed test).

  tests/bench/stats_bench.py [BUILD_DIR] [REPORTS]     (defaults: build/ of the checkout, 300)

Runs a private PostgreSQL cluster and gateway, intake and aduan-stats on loopback, and measures:
1. counting throughput: REPORTS reports submitted while aduan-stats is stopped, then the time it
   takes a fresh aduan-stats to count the backlog (one transaction per event);
2. query latency of the statistics API over 50 000 reports (facts inserted directly, spread over
   2025-2026 and over every unit of the seed): each query 5 times, the median;
3. aduan-admin rebuild-stats over the REPORTS real events.
"""
import os
import statistics
import subprocess
import time

from bench_setup import arguments

BUILD, REPORTS = arguments(300)
from aduan_harness import BIN_DIR, Cluster, System, valid_report  # noqa: E402

SYNTHETIC = 50000
QUERIES = [
    ("summary, whole country", "summary"),
    ("summary by region", "summary?group_by=region"),
    ("summary by category, one year", "summary?group_by=category&from=2026-01-01&to=2026-12-31"),
    ("summary by unit (subtree aggregation)", "summary?group_by=institution&level=unit"),
    ("series by day", "series?period=day"),
    ("rankings of units by completion", "rankings?level=unit"),
    ("export of the reports of one city (CSV)", "export/reports?format=csv&institution=KOTA-21.71"),
]


def main():
    cluster = Cluster("stats-bench")
    system = System("stats-bench", cluster_url=cluster.url, with_stats=True)
    try:
        system.start()
        system.create_staff("bench", "national_admin", "NASIONAL")
        auth = system.login("bench")
        system.stats.stop()
        for n in range(REPORTS):
            status, _, doc = system.json("POST", "/api/v1/reports", valid_report(title=f"Tolok ukur statistik {n}"))
            assert status == 201, doc
        started = time.monotonic()
        system.stats.start(wait_ready=False)
        system.wait_for(lambda: system.db.scalar("SELECT count(*) FROM stat_reports") == str(REPORTS), 120,
                        "the backlog counted")
        took = time.monotonic() - started
        print(f"counting a backlog of {REPORTS} events after a start: {took:.2f} s, {REPORTS / took:.0f} events/s "
              "(includes the service's start-up and numbering the events)")

        started = time.monotonic()
        done = subprocess.run([os.path.join(BIN_DIR, "aduan-admin"), "rebuild-stats"], capture_output=True,
                              env={**os.environ, "ADUAN_STATS_ENDPOINTS": system.stats_endpoints()}, timeout=300)
        assert done.returncode == 0, done.stderr
        print(f"aduan-admin rebuild-stats over {REPORTS} events: {time.monotonic() - started:.2f} s "
              "(includes connecting and checking migrations)")

        system.db.scalar(
            "INSERT INTO stat_reports (tracking_id, last_seq, submitted_at, classification, category_code, "
            "region_code, channel, institution_code, status, public_status, verified_at, dispatched_at, "
            "followed_up_at, completed_at) "
            "SELECT 'SYN-' || n, 1, t, 'complaint', c.code, i.region_code, 'web', i.code, "
            "  CASE n % 4 WHEN 0 THEN 'closed_by_admin' WHEN 1 THEN 'in_process' WHEN 2 THEN 'dispatched' "
            "  ELSE 'waiting_verification' END, "
            "  CASE n % 4 WHEN 0 THEN 'completed' WHEN 1 THEN 'in_process' WHEN 2 THEN 'not_yet_followed_up' "
            "  ELSE 'not_yet_verified' END, "
            "  CASE WHEN n % 4 < 3 THEN t + interval '20 hours' END, CASE WHEN n % 4 < 3 THEN t + interval '21 hours' END, "
            "  CASE WHEN n % 4 < 2 THEN t + interval '3 days' END, CASE WHEN n % 4 = 0 THEN t + interval '9 days' END "
            "FROM generate_series(1, " + str(SYNTHETIC) + ") n "
            "CROSS JOIN LATERAL (SELECT timestamptz '2025-01-01' + (n % 700) * interval '1 day' AS t) d "
            "CROSS JOIN LATERAL (SELECT code, region_code FROM institutions WHERE kind = 'unit' "
            "                    ORDER BY code OFFSET n % 12 LIMIT 1) i "
            "CROSS JOIN LATERAL (SELECT code FROM categories WHERE parent_code IS NOT NULL "
            "                    ORDER BY code OFFSET n % 20 LIMIT 1) c")
        system.db.scalar("SELECT stat_rollup_recount(); ANALYZE stat_reports, stat_rollup")
        for name, path in QUERIES:
            samples = []
            for _ in range(5):
                started = time.monotonic()
                status, _, body = system.request("GET", f"/api/v1/stats/{path}", headers=auth)
                samples.append((time.monotonic() - started) * 1000)
                assert status == 200, body[:300]
            print(f"{name}: median {statistics.median(samples):.1f} ms ({len(body)} bytes)")
    finally:
        system.stop()
        cluster.destroy()


if __name__ == "__main__":
    main()
