"""End to end (issue 15, part 3): federation between two real aduan instances, each with its own
database and services. The regional one (Kepulauan Riau) names the national one as an upstream
Open311 server in a routing rule; aduan-federate forwards there, polls, and mirrors what the
national one does (docs/open311.md "Federation")."""
import os
import subprocess
import time
import unittest
import urllib.parse

from aduan_harness import BIN_DIR, System, valid_report

UPSTREAM = "UP-NASIONAL"


class Federation(unittest.TestCase):
    failed = False

    @classmethod
    def setUpClass(cls):
        cls.national = System("fed-national", lifecycle=True).start()
        cls.regional = None
        try:
            cls.national.create_staff("nas", "national_admin", "NASIONAL")
            cls.n_auth = cls.national.login("nas")
            cls.regional = System("fed-regional", lifecycle=True, notify=True).start()
            cls.regional.create_staff("nas", "national_admin", "NASIONAL", email="nas@kepri.example.org")
            cls.r_auth = cls.regional.login("nas")
            key = cls.issue_key(cls.national, "kepri", "21.71")
            keys_dir = os.path.join(cls.regional.workdir, "upstream-keys")
            os.makedirs(keys_dir)
            with open(os.path.join(keys_dir, UPSTREAM), "w") as f:
                f.write(key + "\n")
            os.chmod(os.path.join(keys_dir, UPSTREAM), 0o600)
            cls.regional.db.scalar(
                f"INSERT INTO institutions (code, parent_code, name, kind, region_code) VALUES "
                f"('{UPSTREAM}', 'PROV-21', 'SP4N-LAPOR! Nasional (Open311)', 'unit', '21'); "
                f"INSERT INTO federation_upstreams (institution_code, base_url, jurisdiction_id) VALUES "
                f"('{UPSTREAM}', 'http://127.0.0.1:{cls.national.http_port}/open311/v2', 'aduan'); "
                f"UPDATE routing_rules SET institution_code = '{UPSTREAM}' "
                f"WHERE category_code = 'JALAN' AND region_code = '21.71'")
            cls.federate = cls.regional.consumer("aduan-federate", "federate", {
                "ADUAN_FEDERATE_ORIGIN": "kepri",
                "ADUAN_FEDERATE_KEYS_DIR": keys_dir,
                "ADUAN_FEDERATE_TIMEOUT_MS": "3000",
                "ADUAN_FEDERATE_RETRY_BASE_MS": "300",
                "ADUAN_FEDERATE_RETRY_CAP_MS": "1500",
                "ADUAN_FEDERATE_ALERT_AFTER": "2",
                "ADUAN_FEDERATE_POLL_MS": "300",
                "ADUAN_LOG_LEVEL": "debug",
            })
            cls.federate.start()
        except BaseException:
            cls.national.stop(failed=True)
            if cls.regional:
                cls.regional.stop(failed=True)
            raise

    @classmethod
    def tearDownClass(cls):
        codes = {**cls.national.stop(failed=cls.failed), **cls.regional.stop(failed=cls.failed)}
        bad = {name: code for name, code in codes.items() if code != 0}
        if bad:
            raise AssertionError(f"did not exit 0 on SIGTERM: {bad}")

    def run(self, result=None):
        result = super().run(result)
        if result is not None and not result.wasSuccessful():
            type(self).failed = True
        return result

    @staticmethod
    def issue_key(system, name, region):
        done = subprocess.run([os.path.join(BIN_DIR, "aduan-admin"), "open311-key", "issue", name, region],
                              env={**os.environ, "ADUAN_DB_URL": system.db.service_url("aduan-gateway")},
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        return done.stdout.strip()

    # -- helpers
    def submit_verified(self, **overrides):
        """A report at the regional instance, verified there: its routing rule sends it upstream."""
        status, _, doc = self.regional.json("POST", "/api/v1/reports", valid_report(**overrides))
        self.assertEqual(status, 201, doc)
        tid = doc["tracking_id"]
        status, act = self.regional.act(tid, self.r_auth, "verify")
        self.assertEqual(status, 200, act)
        return tid

    def forward(self, tid):
        rows = self.regional.db.scalar(
            f"SELECT state || ' ' || COALESCE(upstream_id, '-') || ' ' || attempts FROM federation_forwards "
            f"WHERE tracking_id = '{tid}'").split()
        return rows

    def wait_forwarded(self, tid, timeout=30):
        return self.regional.wait_for(lambda: (lambda r: r[1] if r and r[0] == "forwarded" else None)(self.forward(tid)),
                                      timeout, f"{tid} forwarded")

    def upstream_copies(self, tid):
        """Reports at the national instance that came from this regional one."""
        return int(self.national.db.scalar(f"SELECT count(*) FROM reports WHERE body LIKE '%kepri: {tid}%'"))

    def n_act(self, upstream_id, action, **fields):
        status, doc = self.national.act(upstream_id, self.n_auth, action, **fields)
        self.assertEqual(status, 200, doc)

    def r_view(self, tid):
        status, _, doc = self.regional.json("GET", f"/api/v1/staff/reports/{tid}", headers=self.r_auth)
        self.assertEqual(status, 200, doc)
        return doc

    def metric(self, name):
        status, text = self.federate.admin_get("/metrics")
        self.assertEqual(status, 200)
        values = [float(line.split()[-1]) for line in text.splitlines() if line.startswith(name + " ")]
        return values[0] if values else -1

    def mails(self, tid, to):
        return [m for m in self.regional.mail.messages() if tid in (m["subject"] or "") and to in m["rcpt_tos"]]

    # -- tests
    def test_forwarded_followed_up_and_closed_upstream_reach_the_regional_reporter(self):
        tid = self.submit_verified()
        self.assertEqual(self.regional.wait_for(lambda: self.r_view(tid)["status"] == "dispatched", 20, "dispatched")
                         and self.r_view(tid)["institution"], UPSTREAM)
        upstream_id = self.wait_forwarded(tid)
        # It is there upstream, as a report of the app "kepri" (its channel marks the origin).
        status, _, listed = self.national.request("GET", f"/open311/v2/requests/{upstream_id}.json")
        self.assertEqual(status, 200, listed)
        self.assertEqual(self.national.db.scalar(f"SELECT channel FROM reports WHERE tracking_id = '{upstream_id}'"),
                         "open311.kepri")
        self.assertEqual(self.upstream_copies(tid), 1)
        self.assertEqual(self.national.db.scalar(f"SELECT reporter_email FROM reports WHERE tracking_id = '{upstream_id}'"),
                         "siti.rahma@example.org")
        # The national desk handles it; the follow-up and the close come back to the region.
        self.n_act(upstream_id, "verify")
        self.national.wait_for(lambda: self.national.db.scalar(
            f"SELECT status FROM reports WHERE tracking_id = '{upstream_id}'") == "dispatched", 20, "national dispatch")
        self.n_act(upstream_id, "follow_up", note="Tim PUPR sudah meninjau lokasi; perbaikan dijadwalkan pekan depan.")
        self.regional.wait_for(lambda: self.r_view(tid)["status"] == "in_process", 20, "follow-up mirrored")
        self.n_act(upstream_id, "close")
        view = self.regional.wait_for(lambda: (lambda v: v if v["status"] == "closed_by_admin" else None)(self.r_view(tid)),
                                      20, "close mirrored")
        mirrored = [(a["action"], a["actor_role"], a.get("note")) for a in view["actions"] if a["action"].startswith("upstream")]
        self.assertEqual(mirrored, [
            ("upstream_follow_up", "system", "Tim PUPR sudah meninjau lokasi; perbaikan dijadwalkan pekan depan."),
            ("upstream_close", "system", None)])
        status, _, public = self.regional.json("GET", f"/api/v1/reports/{tid}")
        self.assertEqual((status, public["status"]), (200, "closed_by_admin"))
        self.assertIn("Tim PUPR sudah meninjau lokasi", str(public["actions"]))
        # The reporter heard both by e-mail from the regional instance.
        reporter = "siti.rahma@example.org"
        def subjects():
            return [m["subject"] for m in self.mails(tid, reporter)]
        self.regional.wait_for(lambda: any("selesai" in s for s in subjects()), 20, "the closing mail")
        self.assertEqual(len([s for s in subjects() if s.startswith("Tindak lanjut")]), 1, subjects())
        self.assertEqual(len([s for s in subjects() if "selesai" in s]), 1, subjects())
        # Polling again changes nothing: each upstream step is mirrored once.
        time.sleep(1.5)
        self.assertEqual(len([a for a in self.r_view(tid)["actions"] if a["action"].startswith("upstream")]), 2)
        self.assertEqual(self.upstream_copies(tid), 1)

    def test_a_transfer_to_the_upstream_forwards_an_anonymous_report_without_its_reporter(self):
        tid = self.submit_verified(category="SOSIAL.BANSOS", title="Bantuan sosial tidak sampai", anonymous=True)
        self.regional.wait_for(lambda: self.r_view(tid)["institution"] == "KOTA-21.71.DINSOS", 20, "routed locally")
        self.assertEqual(self.forward(tid), [])   # a local institution: nothing goes upstream
        status, doc = self.regional.act(tid, self.r_auth, "transfer", institution=UPSTREAM,
                                        reason_code="other_institution", note="Kewenangan pusat.")
        self.assertEqual(status, 200, doc)
        upstream_id = self.wait_forwarded(tid)
        self.assertEqual(self.national.db.scalar(
            f"SELECT category_code || '|' || COALESCE(reporter_name, '') || '|' || COALESCE(reporter_email, '') "
            f"|| '|' || COALESCE(reporter_phone, '') FROM reports WHERE tracking_id = '{upstream_id}'"),
            "SOSIAL.BANSOS|||")
        # The mirrored steps are the system's alone: no staff member takes them through the API.
        for action in ("upstream_follow_up", "upstream_close"):
            status, doc = self.regional.act(tid, self.r_auth, action, note="pura-pura dari pusat")
            self.assertEqual(status, 403, doc)

    def test_kill_9_of_the_forwarder_mid_run_makes_exactly_one_upstream_report_each(self):
        self.federate.kill()
        tids = [self.submit_verified(title=f"Jalan berlubang nomor {i} di depan pasar") for i in range(8)]
        self.federate.start()
        self.regional.wait_for(lambda: any(self.forward(t) and self.forward(t)[0] == "forwarded" for t in tids),
                               30, "a first forward")
        self.federate.kill()
        self.federate.start()
        for tid in tids:
            self.wait_forwarded(tid)
        for tid in tids:
            self.assertEqual(self.upstream_copies(tid), 1, tid)

    def test_a_resend_after_a_lost_answer_is_recognised_upstream(self):
        """The one window a kill -9 can hit: the POST was made but the id not recorded (the
        transaction rolled back). Putting the row back as it was before the POST replays exactly
        that: the resend gets the first id, and no second report is made."""
        tid = self.submit_verified(title="Jalan berlubang, jawaban hilang")
        first = self.wait_forwarded(tid)
        self.regional.db.scalar(f"UPDATE federation_forwards SET state = 'pending', upstream_id = NULL "
                                f"WHERE tracking_id = '{tid}'")
        self.assertEqual(self.wait_forwarded(tid), first)
        self.assertEqual(int(self.forward(tid)[2]), 2)   # it was sent again
        self.assertEqual(self.upstream_copies(tid), 1)

    def test_each_instance_counts_a_federated_report_once_with_its_origin(self):
        tid = self.submit_verified(title="Jalan berlubang untuk statistik")
        upstream_id = self.wait_forwarded(tid)
        self.national.wait_for(lambda: self.national.db.scalar(
            f"SELECT channel FROM stat_reports WHERE tracking_id = '{upstream_id}'") == "open311.kepri", 30, "counted upstream")
        self.regional.wait_for(lambda: self.regional.db.scalar(
            f"SELECT channel FROM stat_reports WHERE tracking_id = '{tid}'") == "web", 30, "counted here")
        for system in (self.national, self.regional):
            self.assertEqual(system.db.scalar("SELECT count(*) - count(DISTINCT tracking_id) FROM stat_reports"), "0")
        forwarded = self.regional.db.scalar("SELECT count(*) FROM federation_forwards WHERE state = 'forwarded'")
        self.national.wait_for(lambda: self.national.db.scalar(
            "SELECT count(*) FROM stat_reports WHERE channel = 'open311.kepri'") == forwarded, 30, "every forward counted")
        status, _, summary = self.national.json("GET", "/api/v1/stats/summary?group_by=channel", headers=self.n_auth)
        self.assertEqual(status, 200, summary)
        by_channel = {g["key"]: g["received"] for g in summary["groups"]}
        self.assertEqual(by_channel.get("open311.kepri"), int(forwarded))

    def test_a_report_moved_elsewhere_here_before_it_was_sent_is_not_sent(self):
        self.national.gateway.stop()
        try:
            tid = self.submit_verified(title="Jalan berlubang, dialihkan sebelum terkirim")
            self.regional.wait_for(lambda: (lambda r: r and int(r[2]) >= 1)(self.forward(tid)), 30, "a failed attempt")
            status, doc = self.regional.act(tid, self.r_auth, "transfer", institution="KOTA-21.71.PUPR",
                                            reason_code="wrong_unit", note="Ditangani Dinas PUPR Batam.")
            self.assertEqual(status, 200, doc)
        finally:
            self.national.gateway.start()
        time.sleep(3)   # many retry periods (ADUAN_FEDERATE_RETRY_CAP_MS 1.5 s)
        self.assertEqual(self.forward(tid)[0], "pending")
        self.assertEqual(self.upstream_copies(tid), 0)

    def test_upstream_down_for_a_while_forwarded_later_once_and_the_staff_told(self):
        self.national.gateway.stop()
        try:
            tid = self.submit_verified(title="Jalan amblas saat upstream mati")
            self.regional.wait_for(lambda: (lambda r: r and int(r[2]) >= 3)(self.forward(tid)), 30, "failed attempts")
            self.assertEqual(self.forward(tid)[0], "pending")
            self.regional.wait_for(lambda: self.metric("aduan_federation_pending") >= 1, 10, "the pending gauge")
            # After ADUAN_FEDERATE_ALERT_AFTER failures the admins above hear it in their inbox, once.
            def alerts():
                status, _, doc = self.regional.json("GET", "/api/v1/inbox", headers=self.r_auth)
                self.assertEqual(status, 200, doc)
                return [i for i in doc["items"] if i["tracking_id"] == tid and i["event_type"] == "report.upstream_down"]
            self.regional.wait_for(alerts, 20, "the inbox alert")
        finally:
            self.national.gateway.start()
        self.wait_forwarded(tid, timeout=30)
        self.assertEqual(self.upstream_copies(tid), 1)
        self.assertEqual(len(alerts()), 1)


if __name__ == "__main__":
    unittest.main()
