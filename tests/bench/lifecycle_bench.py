#!/usr/bin/env python3
"""Lifecycle benchmark: prints figures, asserts nothing (not a timed test).

  tests/bench/lifecycle_bench.py [BUILD_DIR] [REPORTS]     (defaults: build/ of the checkout, 300)

Runs a private PostgreSQL cluster and every service on loopback (gateway, intake, stats, verify,
route), signs in a national admin, submits REPORTS reports at 20/s, verifies half of them one at
a time at 20/s and the other half back to back, and measures:
1. the verify action's HTTP round trip (gateway → aduan-verify → one transaction → answer);
2. how long the automatic steps take when not queued, from the database's own timestamps:
   submission → pre-checks recorded (aduan-verify consuming report.submitted) and verification →
   dispatch (aduan-route consuming report.verified and applying the route action);
3. the route consumer's throughput under the burst;
4. a sign-in (argon2id verification) round trip.
"""
import time

from bench_setup import arguments, describe

BUILD, REPORTS = arguments(300)
from aduan_harness import Cluster, System, valid_report  # noqa: E402


def delays(system, sql):
    rows = system.db.scalar(sql).split()
    return [float(r) for r in rows]


def main():
    cluster = Cluster("lifecycle-bench")
    system = System("lifecycle-bench", cluster_url=cluster.url, lifecycle=True)
    try:
        system.start()
        system.create_staff("bench", "national_admin", "NASIONAL")
        started = time.monotonic()
        auth = system.login("bench")
        print(f"sign-in round trip (argon2id): {(time.monotonic() - started) * 1000:.1f} ms")
        tracking = []
        for n in range(REPORTS):  # paced at 20/s: delays, not a backlog, are measured
            status, _, doc = system.json("POST", "/api/v1/reports", valid_report(title=f"Laporan tolok ukur {n}"))
            assert status == 201, doc
            tracking.append(doc["tracking_id"])
            time.sleep(0.05)
        paced, burst = tracking[:REPORTS // 2], tracking[REPORTS // 2:]
        round_trips = []
        for tid in paced:
            started = time.monotonic()
            status, doc = system.act(tid, auth, "verify")
            round_trips.append((time.monotonic() - started) * 1000)
            assert status == 200, doc
            time.sleep(0.05)
        system.wait_for(lambda: int(system.db.scalar("SELECT count(*) FROM reports WHERE status = 'dispatched'"))
                        == len(paced), timeout=120, what="the paced reports dispatched")
        describe("verify action, HTTP round trip (one at a time, 20/s)", round_trips)
        describe("submission → pre-checks recorded (20/s)", delays(system,
            "SELECT string_agg(((extract(epoch FROM p.checked_at - r.submitted_at)) * 1000)::text, ' ') "
            "FROM report_prechecks p JOIN reports r ON r.id = p.report_id"))
        describe("verified → dispatched by the route consumer (20/s)", delays(system,
            "SELECT string_agg(((extract(epoch FROM d.at - v.at)) * 1000)::text, ' ') "
            "FROM report_actions v JOIN report_actions d ON d.report_id = v.report_id "
            "WHERE v.action = 'verify' AND d.action = 'route'"))
        started = time.monotonic()
        for tid in burst:
            status, doc = system.act(tid, auth, "verify")
            assert status == 200, doc
        verified = time.monotonic() - started
        system.wait_for(lambda: int(system.db.scalar("SELECT count(*) FROM reports WHERE status = 'dispatched'"))
                        == REPORTS, timeout=300, what="every report dispatched")
        routed = time.monotonic() - started
        print(f"burst: {len(burst)} verify actions back to back in {verified:.2f} s "
              f"({len(burst) / verified:.0f}/s); all routed after {routed:.2f} s ({len(burst) / routed:.0f}/s)")
    finally:
        system.stop()
        cluster.destroy()


if __name__ == "__main__":
    main()
