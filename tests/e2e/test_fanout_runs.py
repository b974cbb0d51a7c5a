"""aduan-notify's fan-out reads what a run of events needs once and adds the run's deliveries in
one statement (services/notify/fanout_run.h). Whatever the size of its runs, it must make the
same rows: a backlog fanned out in runs of many events, then again from the start in runs of one
event (ADUAN_CONSUMER_RUN=1, as every event was handled before the runs), gives the same
deliveries, inbox items and attempts. Nothing is sent (ADUAN_NOTIFY_SEND=off), so the rows stay
as the fan-out made them."""
import os
import signal
import sys
import unittest

from aduan_harness import System, SystemTestCase, valid_report

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import load_bench  # noqa: E402  (group_lag: the events a group has not handled)

STAFF = {
    "nas": ("national_admin", "NASIONAL", "nas@kemenpan.example.go.id"),
    "kota": ("institution_admin", "KOTA-21.71", "admin@batam.example.go.id"),
    "pupr": ("unit_liaison", "KOTA-21.71.PUPR", "pupr@batam.example.go.id"),
    "pupr2": ("unit_liaison", "KOTA-21.71.PUPR", None),
    "dinsos": ("unit_liaison", "KOTA-21.71.DINSOS", "dinsos@batam.example.go.id"),
}

# Every column the fan-out writes, none the database or the clock chooses.
ROWS = (
    "SELECT d.delivery_id, d.event_id, d.event_seq, d.event_type, d.report_id, d.tracking_id, d.institution_code, "
    "  d.channel, d.recipient_kind, d.recipient, d.staff_id, d.webhook_id, d.language, d.subject, d.body_text, "
    "  d.body_html, d.payload, d.max_attempts, d.status, d.attempts, d.delivered_at IS NOT NULL, d.list_unsubscribe, "
    "  i.staff_id, i.tracking_id, i.event_type, i.subject, i.body, "
    "  (SELECT string_agg(a.attempt || ' ' || a.outcome || ' ' || coalesce(a.detail, ''), ';' ORDER BY a.attempt) "
    "   FROM delivery_attempts a WHERE a.delivery_id = d.id) "
    "FROM deliveries d LEFT JOIN inbox_items i ON i.delivery_id = d.id ORDER BY d.delivery_id")


class FanoutRunsTest(SystemTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("fanoutruns", lifecycle=True, notify=True, notify_env={"ADUAN_NOTIFY_SEND": "off"}).start()
        cls.auth = {}
        for name, (role, institution, email) in STAFF.items():
            cls.sys.create_staff(name, role, institution, email=email)
            cls.auth[name] = cls.sys.login(name)

    @classmethod
    def tearDownClass(cls):
        cls.sys.stop()

    def notify_caught_up(self):
        self.sys.wait_for(lambda: load_bench.group_lag(self.sys.db.url, "notify") == 0, 60, "notify to catch up")

    def backlog(self):
        """Reports of every kind of reporter, verified (and so dispatched by route), while notify is
        stopped: a backlog that notify takes in runs of many events."""
        notify = self.sys.notify.proc
        dispatched = "SELECT count(*) FROM events WHERE type = 'report.dispatched'"
        before = int(self.sys.db.scalar(dispatched))
        notify.send_signal(signal.SIGSTOP)
        try:
            for i in range(12):
                reporter = {"name": f"Pelapor {i}"}
                if i % 3 != 0:
                    reporter["email"] = f"pelapor{i}@example.org"
                report = valid_report(title=f"Jalan berlubang nomor {i}", reporter=reporter, confidential=i % 5 == 2)
                status, _, doc = self.sys.json("POST", "/api/v1/reports", report)
                self.assertEqual(status, 201, doc)
                if i % 6 != 5:
                    status, doc = self.sys.act(doc["tracking_id"], self.auth["nas"], "verify")
                    self.assertIn(status, (200, 201), doc)
            self.sys.wait_for(lambda: int(self.sys.db.scalar(dispatched)) == before + 10, 60, "route to dispatch")
        finally:
            notify.send_signal(signal.SIGCONT)

    def test_a_replayed_backlog_adds_nothing(self):
        """The delivery id, derived from (event, channel, recipient kind, recipient), is the one
        unique key that keeps a replayed event from telling anyone twice (migration 0041)."""
        self.backlog()
        self.notify_caught_up()
        before = load_bench.psql(self.sys.db.url, ROWS)
        self.assertGreater(len(before.splitlines()), 20)
        self.assertEqual(self.sys.notify.stop(), 0)
        load_bench.psql(self.sys.db.url, "UPDATE consumer_positions SET seq = 0 WHERE group_name = 'notify'")
        self.sys.notify.start()
        self.notify_caught_up()
        self.assertEqual(load_bench.psql(self.sys.db.url, ROWS).splitlines(), before.splitlines())

    def test_runs_of_many_events_make_the_rows_of_runs_of_one(self):
        self.backlog()
        self.notify_caught_up()
        in_runs = load_bench.psql(self.sys.db.url, ROWS)
        kinds = load_bench.psql(self.sys.db.url, "SELECT count(DISTINCT event_type) || ' ' || count(*) FILTER "
                                                 "(WHERE channel = 'inbox') FROM deliveries").split()
        self.assertGreaterEqual(int(kinds[0]), 2, "deliveries of several kinds of event")
        self.assertGreater(int(kinds[1]), 0, "inbox deliveries")

        self.assertEqual(self.sys.notify.stop(), 0)
        load_bench.psql(self.sys.db.url, "DELETE FROM inbox_items; DELETE FROM delivery_attempts; DELETE FROM deliveries; "
                                         "UPDATE consumer_positions SET seq = 0 WHERE group_name = 'notify'")
        self.sys.notify.env["ADUAN_CONSUMER_RUN"] = "1"
        self.sys.notify.start()
        self.notify_caught_up()
        one_by_one = load_bench.psql(self.sys.db.url, ROWS)
        self.assertGreater(len(in_runs.splitlines()), 20)
        self.assertEqual(in_runs.splitlines(), one_by_one.splitlines())


if __name__ == "__main__":
    unittest.main()
