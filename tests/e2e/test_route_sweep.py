"""aduan-route answers staff queries on the connection its deadline sweep uses: a backlog of
overdue clocks (a route stopped for a while, a holiday removed) is swept a batch at a time with the
waiting queries answered between batches, not after the whole backlog (they used to time out)."""
import os
import signal
import time
import unittest

from aduan_harness import System, SystemTestCase, valid_report

BACKLOG = int(os.environ.get("ADUAN_SWEEP_BACKLOG", "6000"))

# Copies of one submitted report with tracking ids of the right shape (their check symbols are not
# right: nothing looks them up by id here), each with a verification clock a day past due.
COPY_SQL = """
INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, address, lat, lon,
                     anonymous, confidential, channel, status, reporter_token_hash, submitted_at, updated_at,
                     institution_code, target_institution)
SELECT 'SWEP-' || lpad(n::text, 4, '0') || '-0000', t.classification, t.title, t.body, t.category_code, t.region_code, t.address, t.lat, t.lon,
       t.anonymous, t.confidential, t.channel, t.status, t.reporter_token_hash, t.submitted_at, t.updated_at,
       t.institution_code, t.target_institution
FROM generate_series(1, %d) n, (SELECT * FROM reports ORDER BY id LIMIT 1) t
"""
CLOCKS_SQL = """
INSERT INTO report_deadlines (report_id, kind, institution_code, started_at, due_at)
SELECT r.id, 'verification', r.institution_code, now() - interval '4 days', now() - interval '1 day'
FROM reports r WHERE r.tracking_id LIKE 'SWEP-%'
"""
MISSED_SQL = "SELECT count(*) FROM events WHERE type = 'report.deadline_missed'"


class RouteSweepTest(SystemTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("route-sweep", lifecycle=True,
                         gateway_env={"ADUAN_COMMAND_TIMEOUT_MS": "2000", "ADUAN_COMMAND_ATTEMPTS": "1"}).start()
        cls.sys.create_staff("nas", "national_admin", "NASIONAL")
        cls.auth = cls.sys.login("nas")

    def test_staff_queries_are_answered_while_a_backlog_of_overdue_clocks_is_swept(self):
        status, _, doc = self.sys.json("POST", "/api/v1/reports", valid_report())
        self.assertEqual(status, 201, doc)
        route = self.sys.route.proc
        route.send_signal(signal.SIGSTOP)
        try:
            self.sys.db.scalar(COPY_SQL % BACKLOG)
            self.sys.db.scalar(CLOCKS_SQL)
        finally:
            route.send_signal(signal.SIGCONT)
        answered, missed_at_answers = 0, []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            started = time.monotonic()
            status, _, doc = self.sys.json("GET", "/api/v1/staff/reports?limit=1", headers=self.auth)
            took = time.monotonic() - started
            self.assertEqual(status, 200, f"a staff query during the sweep: {doc}")
            self.assertLess(took, 2.0, "answered between two batches of the sweep")
            answered += 1
            missed = int(self.sys.db.scalar(MISSED_SQL))
            missed_at_answers.append(missed)
            if missed >= BACKLOG:
                break
        self.assertEqual(int(self.sys.db.scalar(MISSED_SQL)), BACKLOG, "every overdue clock swept once")
        during = [m for m in missed_at_answers if m < BACKLOG]
        self.assertGreaterEqual(len(during), 3, f"queries answered while the sweep ran: {missed_at_answers[:10]}")


if __name__ == "__main__":
    unittest.main()
