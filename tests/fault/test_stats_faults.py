"""Fault test of the statistics: aduan-stats (the hub and the counting member) SIGKILLed and
restarted again and again while reports are submitted, verified and routed; afterwards the counted
facts equal a recount of the whole log from scratch (aduan-admin rebuild-stats), i.e. an
undisturbed run (the rollup folded run by run included: each fold commits with its run's
positions), and the figures equal what the test did. Bounded in time."""
import os
import subprocess
import unittest

from aduan_harness import BIN_DIR, System, valid_report

N_REPORTS = int(os.environ.get("ADUAN_FAULT_STATS_REPORTS", "120"))
KILL_EVERY = 15


class StatsFaults(unittest.TestCase):
    def setUp(self):
        self.system = System("stats-faults", lifecycle=True,
                             gateway_env={"ADUAN_COMMAND_TIMEOUT_MS": "700", "ADUAN_COMMAND_ATTEMPTS": "4"}).start()
        self.system.create_staff("nas", "national_admin", "NASIONAL")
        self.auth = self.system.login("nas")
        self.failed = True

    def tearDown(self):
        self.system.stop(failed=self.failed)

    def facts(self):
        """stat_reports and its rollup (stat_rollup, stat_rollup_times), each as a digest."""
        return [self.system.db.scalar(f"SELECT md5(string_agg(s::text, ',' ORDER BY s::text)) FROM {table} s")
                for table in ("stat_reports", "stat_rollup", "stat_rollup_times")]

    def test_stats_killed_mid_stream_counts_like_an_undisturbed_run(self):
        """Kills are driven by progress (every KILL_EVERY reports), so their number does not depend
        on how fast this machine submits."""
        kills, verified = 0, []
        for i in range(N_REPORTS):
            if i % KILL_EVERY == KILL_EVERY // 2:
                self.system.stats.kill()
                kills += 1
                self.system.stats.start(wait_ready=False)
            status, _, doc = self.system.json("POST", "/api/v1/reports", valid_report(
                title=f"Jalan amblas nomor {i}", channel="web" if i % 3 else "api"))
            self.assertEqual(status, 201, doc)
            if i % 2:
                status, _, _ = self.system.json("POST", f"/api/v1/reports/{doc['tracking_id']}/actions",
                                                {"action": "verify"}, self.auth)
                self.assertEqual(status, 200)
                verified.append(doc["tracking_id"])
        if self.system.stats.proc.poll() is not None:
            self.system.stats.start()
        db = self.system.db
        # A verified report and a dispatched one count in the same bucket: wait for route's
        # dispatches first, or the facts could be taken before stats counted the last of them.
        self.system.wait_for(lambda: db.scalar("SELECT count(*) FROM reports WHERE status = 'dispatched'")
                             == str(len(verified)), 90, "route to dispatch every verified report")
        self.system.wait_stats_counted(90)
        self.assertEqual(db.scalar("SELECT count(*) FROM stat_reports"), str(N_REPORTS))
        counted = self.facts()
        done = subprocess.run([os.path.join(BIN_DIR, "aduan-admin"), "rebuild-stats"], capture_output=True,
                              env={**os.environ, "ADUAN_STATS_ENDPOINTS": self.system.stats_endpoints(),
                                   **self.system.keys.env("admin")}, timeout=120)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(self.facts(), counted, "the counting that was killed equals a recount of the log")
        status, _, doc = self.system.json("GET", "/api/v1/stats/summary?group_by=channel", headers=self.auth)
        by_channel = {g["key"]: g for g in doc["groups"]}
        self.assertEqual(by_channel["api"]["received"], len(range(0, N_REPORTS, 3)))
        self.assertEqual(by_channel["web"]["received"], N_REPORTS - len(range(0, N_REPORTS, 3)))
        self.assertEqual(sum(g["not_yet_followed_up"] for g in doc["groups"]), len(verified))
        self.assertEqual(sum(g["not_yet_verified"] for g in doc["groups"]), N_REPORTS - len(verified))
        self.assertEqual(kills, N_REPORTS // KILL_EVERY)
        self.failed = False


if __name__ == "__main__":
    unittest.main(verbosity=2)
