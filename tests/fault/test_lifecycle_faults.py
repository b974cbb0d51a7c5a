"""Fault tests of the report's life: two replicas each of aduan-verify and aduan-route, SIGKILLed and
restarted while reports are submitted, verified, routed and their clocks swept; then every report
must have been pre-checked, routed and reported missed exactly once. Bounded in time."""
import os
import random
import threading
import time
import unittest

from aduan_harness import System, valid_report

N_REPORTS = int(os.environ.get("ADUAN_FAULT_LIFECYCLE_REPORTS", "150"))


def count(system, sql):
    return int(system.db.scalar(sql))


class LifecycleFaults(unittest.TestCase):
    def setUp(self):
        self.system = System("lifecycle-faults", lifecycle=True, lifecycle_replicas=2,
                             gateway_env={"ADUAN_COMMAND_TIMEOUT_MS": "700", "ADUAN_COMMAND_ATTEMPTS": "4"}).start()
        self.system.create_staff("nas", "national_admin", "NASIONAL")
        self.auth = self.system.login("nas")
        self.failed = True

    def tearDown(self):
        self.system.stop(failed=self.failed)

    def keep_killing(self, stop, kills):
        """SIGKILL a random verify or route replica and start it again, until told to stop."""
        rng = random.Random(4)
        while not stop.is_set():
            victim = rng.choice(self.system.lifecycle_services())
            victim.kill()
            kills.append(victim.name)
            victim.start(wait_ready=False)
            stop.wait(0.4)

    def post_until_answered(self, path, body, headers, ok):
        """Retries what the client may safely retry (503, connection errors) with the same key."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _, doc = self.system.json("POST", path, body, headers)
            except OSError:
                status, doc = None, None
            if status in ok:
                return doc
            self.assertIn(status, (None, 503), doc)
            time.sleep(0.1)
        raise AssertionError(f"{path} never answered")

    def move_past_verification_clocks(self):
        """Just past the last verification clock: it runs 3 working days, the follow-up clocks of
        the routed reports 5, so only the unverified reports miss a deadline."""
        due = float(self.system.db.scalar("SELECT extract(epoch FROM max(due_at)) FROM report_deadlines "
                                          "WHERE kind = 'verification' AND ended_at IS NULL"))
        first_follow_up = float(self.system.db.scalar("SELECT extract(epoch FROM min(due_at)) FROM report_deadlines "
                                                      "WHERE kind = 'follow_up'"))
        self.assertLess(due + 60, first_follow_up)
        self.system.advance_days((due + 60 - time.time() - self.system.clock_offset()) / 86400)

    def test_replicas_killed_mid_lifecycle_lose_and_repeat_nothing(self):
        stop, kills, tracking = threading.Event(), [], []
        killer = threading.Thread(target=self.keep_killing, args=(stop, kills))
        killer.start()
        try:
            for n in range(N_REPORTS):
                doc = self.post_until_answered("/api/v1/reports", valid_report(title=f"Laporan beruntun {n}"),
                                               {"Idempotency-Key": f"lifecycle-fault-{n:08d}"}, (201,))
                tracking.append(doc["tracking_id"])
                if n % 2 == 0:  # half are verified at once, while replicas die
                    headers = dict(self.auth, **{"Idempotency-Key": f"lifecycle-verify-{n:08d}"})
                    self.post_until_answered(f"/api/v1/reports/{doc['tracking_id']}/actions", {"action": "verify"},
                                             headers, (200,))
            self.move_past_verification_clocks()
            time.sleep(3)
        finally:
            stop.set()
            killer.join()
        for svc in self.system.lifecycle_services():
            svc.wait_ready()
        verified = N_REPORTS - N_REPORTS // 2
        s = self.system
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (
                count(s, "SELECT count(*) FROM report_prechecks") < N_REPORTS
                or count(s, "SELECT count(*) FROM reports WHERE status = 'dispatched'") < verified
                or count(s, "SELECT count(*) FROM events WHERE type = 'report.deadline_missed'") < N_REPORTS - verified):
            time.sleep(0.2)
        time.sleep(2)  # a few more sweeps and consumer rounds: nothing further may happen
        self.assertGreaterEqual(len(kills), 5, "the replicas were really killed under load")
        self.assertEqual(count(s, "SELECT count(*) FROM reports"), N_REPORTS)
        self.assertEqual(count(s, "SELECT count(*) FROM report_prechecks"), N_REPORTS)
        self.assertEqual(count(s, "SELECT count(*) FROM reports WHERE status = 'dispatched'"), verified)
        self.assertEqual(count(s, "SELECT count(*) FROM report_actions WHERE action = 'verify'"), verified)
        self.assertEqual(count(s, "SELECT count(*) FROM report_actions WHERE action = 'route'"), verified)
        self.assertEqual(count(s, "SELECT count(*) FROM events WHERE type = 'report.verified'"), verified)
        self.assertEqual(count(s, "SELECT count(*) FROM events WHERE type = 'report.dispatched'"), verified)
        # Only the unverified reports' verification clocks ran out; each was announced once.
        self.assertEqual(count(s, "SELECT count(*) FROM events WHERE type = 'report.deadline_missed'"),
                         N_REPORTS - verified)
        self.assertEqual(count(s, "SELECT count(DISTINCT tracking_id) FROM events "
                                  "WHERE type = 'report.deadline_missed'"), N_REPORTS - verified)
        self.assertEqual(count(s, "SELECT count(*) FROM report_deadlines WHERE missed_at IS NOT NULL"),
                         N_REPORTS - verified)
        self.failed = False


if __name__ == "__main__":
    unittest.main(verbosity=2)
