#!/usr/bin/env python3
"""Notification benchmark: prints figures, asserts nothing (not a timed test).

  tests/bench/notify_bench.py [BUILD_DIR] [REPORTS]     (defaults: build/ of the checkout, 200)

Runs a private PostgreSQL cluster, the services on loopback (gateway, intake, stats) and one
aduan-notify, with the test harness's real SMTP server (aiosmtpd) and webhook receiver (Python's
ThreadingHTTPServer, checking every signature), one webhook registered for report.submitted, and
measures:
1. submission → delivered, from the database's own timestamps, for e-mail and the webhook, with
   REPORTS reports paced at 20/s (delays, not a backlog);
2. throughput on a backlog: aduan-notify stopped, REPORTS reports submitted, aduan-notify started,
   time until every e-mail and webhook request is delivered and recorded.
The receivers are Python, on the same two cores: they bound the throughput measured here.
"""
import time

from bench_setup import arguments, describe

BUILD, REPORTS = arguments(200)
from aduan_harness import Cluster, System, valid_report  # noqa: E402
from webhook_receiver import WebhookReceiver  # noqa: E402


def submit(system, n, tag, pace):
    for i in range(n):
        status, _, doc = system.json("POST", "/api/v1/reports", valid_report(
            title=f"Tolok ukur {tag} {i}", reporter={"name": "Budi", "email": f"{tag}{i}@example.org"}))
        assert status == 201, doc
        if pace:
            time.sleep(pace)


def delivered(system, channel):
    return int(system.db.scalar(f"SELECT count(*) FROM deliveries WHERE channel = '{channel}' "
                                "AND status = 'delivered'"))


def main():
    cluster = Cluster("notify-bench")
    system = System("notify-bench", cluster_url=cluster.url, notify=True,
                    notify_env={"ADUAN_LOG_LEVEL": "warn"})
    receiver = WebhookReceiver()
    try:
        system.start()
        receiver.start()
        system.create_staff("bench", "national_admin", "NASIONAL")
        status, _, doc = system.json("POST", "/api/v1/webhooks", {"url": receiver.url(),
                                                                  "event_types": ["report.submitted"]},
                                     system.login("bench"))
        assert status == 201, doc
        receiver.secret = doc["secret"]

        submit(system, REPORTS, "paced", 0.05)
        system.wait_for(lambda: delivered(system, "email") == REPORTS and delivered(system, "webhook") == REPORTS,
                        120, "paced deliveries")
        for channel in ("email", "webhook"):
            rows = system.db.scalar(
                "SELECT string_agg((extract(epoch FROM d.delivered_at - r.submitted_at) * 1000)::text, ' ') "
                f"FROM deliveries d JOIN reports r ON r.id = d.report_id WHERE d.channel = '{channel}'").split()
            describe(f"submission → {channel} delivered (paced 20/s)", [float(r) for r in rows])

        system.notify.stop()
        submit(system, REPORTS, "backlog", 0)
        system.wait_for(lambda: int(system.db.scalar("SELECT count(*) FROM events WHERE seq IS NOT NULL AND type LIKE 'report.%'"))
                        == 2 * REPORTS, 60, "the backlog's events sequenced")
        started = time.monotonic()
        system.notify.start(wait_ready=False)
        system.wait_for(lambda: delivered(system, "email") == 2 * REPORTS
                        and delivered(system, "webhook") == 2 * REPORTS, 300, "the backlog delivered")
        took = time.monotonic() - started
        print(f"backlog of {REPORTS} events ({2 * REPORTS} deliveries: e-mail + webhook) after a restart: "
              f"{took:.2f} s, {2 * REPORTS / took:.0f} deliveries/s")
        print(f"signatures rejected by the receiver: {len(receiver.rejected)}")
    finally:
        receiver.stop()
        system.stop()
        cluster.destroy()


if __name__ == "__main__":
    main()
