"""End to end: a report's life through real processes — gateway, intake, verify, route and the
event hub — with staff accounts, the state machine, deadlines on the working-day calendar (the
clock moved forward, never slept) and restarts of aduan-verify and aduan-route."""
import datetime
import json
import threading
import time
import unittest

from aduan_harness import System, SystemTestCase, valid_report

JAKARTA = datetime.timezone(datetime.timedelta(hours=7))
STAFF = {
    "nas": ("national_admin", "NASIONAL"),
    "kota": ("institution_admin", "KOTA-21.71"),
    "pupr": ("unit_liaison", "KOTA-21.71.PUPR"),
    "dinsos": ("unit_liaison", "KOTA-21.71.DINSOS"),
    "tpi": ("institution_admin", "KOTA-21.72"),
    "analis": ("analyst", "PROV-21"),
}


class LifecycleTest(SystemTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("lifecycle", lifecycle=True).start()
        cls.auth = {}
        for name, (role, institution) in STAFF.items():
            cls.sys.create_staff(name, role, institution)
            cls.auth[name] = cls.sys.login(name)
        cls.holidays = {row for row in cls.sys.db.scalar(
            "SELECT string_agg(day::text, ',') FROM holidays").split(",")}

    # --- helpers -------------------------------------------------------------------------------

    def submit(self, **overrides):
        status, _, doc = self.sys.json("POST", "/api/v1/reports", valid_report(**overrides))
        self.assertEqual(status, 201, doc)
        return doc["tracking_id"], {"Authorization": f"Bearer {doc['reporter_token']}"}

    def staff_view(self, tracking_id, who="nas"):
        status, _, doc = self.sys.json("GET", f"/api/v1/staff/reports/{tracking_id}", headers=self.auth[who])
        self.assertEqual(status, 200, doc)
        return doc

    def wait_status(self, tracking_id, status, timeout=20):
        return self.sys.wait_for(lambda: (lambda d: d if d["status"] == status else None)(self.staff_view(tracking_id)),
                                 timeout, f"{tracking_id} to become {status}")

    def act_ok(self, tracking_id, who, action, **fields):
        status, doc = self.sys.act(tracking_id, self.auth[who] if isinstance(who, str) else who, action, **fields)
        self.assertEqual(status, 200, doc)
        return doc

    def events(self, tracking_id, type_):
        return int(self.sys.db.scalar(
            f"SELECT count(*) FROM events WHERE tracking_id = '{tracking_id}' AND type = '{type_}'"))

    def working_deadline(self, started_iso, days):
        """The due instant computed here, independently of the SQL: midnight Jakarta after the
        n-th working day (no weekend, no holiday) following the start's Jakarta date."""
        start = datetime.datetime.fromisoformat(started_iso.replace("Z", "+00:00")).astimezone(JAKARTA).date()
        day, counted = start, 0
        while counted < days:
            day += datetime.timedelta(days=1)
            if day.isoweekday() < 6 and day.isoformat() not in self.holidays:
                counted += 1
        due = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), JAKARTA)
        return due.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def move_clock_to(self, iso, seconds_after):
        """Sets the services' clock to `seconds_after` the instant `iso` (never backwards)."""
        target = datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() + seconds_after
        now = time.time() + self.sys.clock_offset()
        self.assertGreater(target, now, "the clock only moves forward")
        self.sys.advance_days((target - now) / 86400)

    def clock(self, view, kind, open_only=True):
        clocks = [c for c in view["clocks"] if c["kind"] == kind and (c["ended_at"] is None or not open_only)]
        self.assertTrue(clocks, f"no {kind} clock in {view['clocks']}")
        return clocks[-1]

    # --- the lifecycles --------------------------------------------------------------------------

    def full_lifecycle(self, classification, field_supervision, resolution_days):
        tid, reporter = self.submit(classification=classification, category="KES.PUSKESMAS",
                                    title=f"Antrian puskesmas {classification} {field_supervision}",
                                    body=f"Antrian di puskesmas sangat panjang sejak pagi ({classification}).")
        view = self.staff_view(tid)
        self.assertEqual(view["status"], "waiting_verification")
        self.assertEqual(view["public_status"], "not_yet_verified")
        verification = self.clock(view, "verification")
        self.assertEqual(verification["due_at"], self.working_deadline(verification["started_at"], 3))

        self.act_ok(tid, "nas", "verify", field_supervision=field_supervision)
        # No routing rule for health: the coordinator of Batam (the report's region) receives it.
        view = self.wait_status(tid, "dispatched")
        self.assertEqual(view["institution"], "KOTA-21.71")
        self.assertEqual(view["public_status"], "not_yet_followed_up")
        resolution = self.clock(view, "resolution")
        self.assertEqual(resolution["due_at"], self.working_deadline(resolution["started_at"], resolution_days))
        follow_up = self.clock(view, "follow_up")
        self.assertEqual(follow_up["due_at"], self.working_deadline(follow_up["started_at"], 5))

        self.act_ok(tid, "kota", "dispatch", institution="KOTA-21.71.DINSOS")
        done = self.act_ok(tid, "dinsos", "follow_up", note="Petugas tambahan ditempatkan di loket.",
                           attachment="files/surat-tindak-lanjut.pdf")
        self.assertEqual((done["status"], done["public_status"]), ("in_process", "in_process"))
        reply = self.act_ok(tid, reporter, "reply", note="Antrian masih panjang hari ini.")
        self.assertEqual(reply["status"], "reporter_replied")
        view = self.staff_view(tid)
        self.assertFalse([c for c in view["clocks"] if c["kind"] == "reporter_reply" and c["ended_at"] is None],
                         "a reply stops the auto-close clock")
        self.clock(view, "follow_up")  # and the institution's clock runs again
        self.act_ok(tid, "dinsos", "follow_up", note="Jadwal loket diperpanjang sampai sore.")
        auto_close = self.clock(self.staff_view(tid), "reporter_reply")
        self.assertEqual(auto_close["due_at"], self.working_deadline(auto_close["started_at"], 10))
        self.move_clock_to(auto_close["due_at"], -3600)
        time.sleep(2.5)  # two sweeps: an hour before the deadline nothing closes
        self.assertEqual(self.staff_view(tid)["status"], "in_process")
        self.move_clock_to(auto_close["due_at"], 60)
        view = self.wait_status(tid, "closed_by_system")
        self.assertEqual(view["public_status"], "completed")
        self.assertEqual(view["actions"][-1]["action"], "auto_close")
        self.assertEqual(view["actions"][-1]["actor_role"], "system")
        self.assertEqual(self.events(tid, "report.closed"), 1)
        # The public tracking page tells the same story without staff identities.
        status, _, public = self.sys.json("GET", f"/api/v1/reports/{tid}")
        self.assertEqual((status, public["status"], public["public_status"]), (200, "closed_by_system", "completed"))
        self.assertNotIn("actor_id", public["actions"][-1])
        return tid

    def test_lifecycle_complaint_without_field_supervision(self):
        self.full_lifecycle("complaint", False, 14)

    def test_lifecycle_complaint_with_field_supervision(self):
        self.full_lifecycle("complaint", True, 60)

    def test_lifecycle_aspiration(self):
        self.full_lifecycle("aspiration", False, 5)

    def test_lifecycle_information_request(self):
        self.full_lifecycle("information_request", False, 5)

    def test_routing_rule_sends_roads_to_the_city_unit(self):
        tid, _ = self.submit()
        self.act_ok(tid, "nas", "verify")
        view = self.wait_status(tid, "dispatched")
        self.assertEqual(view["institution"], "KOTA-21.71.PUPR")
        self.assertEqual(view["actions"][-1]["note"], "routed by rule")

    def test_reporter_target_wins_over_rules(self):
        tid, _ = self.submit(target_institution="KOTA-21.71.DISHUB")
        self.act_ok(tid, "kota", "verify")  # addressed to its subtree: the city's desk may verify
        self.assertEqual(self.wait_status(tid, "dispatched")["institution"], "KOTA-21.71.DISHUB")

    def test_not_our_authority_sends_the_report_elsewhere(self):
        tid, _ = self.submit(target_institution="KOTA-21.71", region="21.72", title="Trotoar rusak di Tanjungpinang",
                             category="JALAN.TROTOAR")
        status, doc = self.sys.act(tid, self.auth["kota"], "not_our_authority", institution="KOTA-21.72")
        self.assertEqual(status, 422, "saying not our authority needs a reason")
        done = self.act_ok(tid, "kota", "not_our_authority", reason_code="other_institution",
                           institution="KOTA-21.72")
        self.assertEqual(done["status"], "verified")
        self.assertEqual(self.wait_status(tid, "dispatched")["institution"], "KOTA-21.72")
        # Without a named institution the rules decide: Tanjungpinang's roads unit for a sidewalk.
        other, _ = self.submit(target_institution="KOTA-21.71", region="21.72", title="Trotoar amblas dekat pasar",
                               category="JALAN.TROTOAR")
        self.act_ok(other, "kota", "not_our_authority", reason_code="other_level")
        self.assertEqual(self.wait_status(other, "dispatched")["institution"], "KOTA-21.72.PUPR")

    def test_postpone_then_reporter_adds_data_then_verify(self):
        tid, reporter = self.submit(title="Lampu jalan mati di kompleks", category="JALAN.PJU")
        status, doc = self.sys.act(tid, self.auth["nas"], "postpone", reason_code="needs_data", note="   \n ")
        self.assertEqual((status, doc["errors"][0]["field"]), (422, "note"), "a blank question asks nothing")
        status, doc = self.sys.act(tid, self.auth["nas"], "postpone", note="Di blok mana tepatnya?")
        self.assertEqual(status, 422, "postponing needs a reason code")
        self.assertEqual(doc["errors"][0]["field"], "reason_code")
        done = self.act_ok(tid, "nas", "postpone", reason_code="unclear_location", note="Di blok mana tepatnya?")
        self.assertEqual((done["status"], done["public_status"]), ("postponed", "not_yet_verified"))
        status, doc = self.sys.act(tid, self.auth["nas"], "verify")
        self.assertEqual((status, doc.get("current_status")), (409, "postponed"))
        status, _ = self.sys.act(tid, {"Authorization": "Bearer " + "A" * 43}, "add_data", note="Blok C")
        self.assertEqual(status, 403, "another token adds nothing")
        self.act_ok(tid, reporter, "add_data", note="Blok C nomor 12, tiga tiang berturut-turut.")
        view = self.staff_view(tid)
        self.assertEqual(view["status"], "waiting_verification")
        self.clock(view, "verification")
        self.act_ok(tid, "nas", "verify", title="Tiga lampu jalan mati di Blok C")
        view = self.wait_status(tid, "dispatched")
        self.assertEqual(view["title"], "Tiga lampu jalan mati di Blok C")
        self.assertEqual([a["action"] for a in view["actions"]],
                         ["submitted", "postpone", "add_data", "verify", "route"])

    def test_transfer_keeps_tracking_id_and_history(self):
        tid, _ = self.submit(category="TRANTIB.PKL", title="Pedagang kaki lima menutup trotoar")
        self.act_ok(tid, "nas", "verify")
        self.assertEqual(self.wait_status(tid, "dispatched")["institution"], "KOTA-21.71.SATPOLPP")
        status, doc = self.sys.act(tid, self.auth["kota"], "transfer", institution="KOTA-21.72")
        self.assertEqual(status, 422, doc)
        status, doc = self.sys.act(tid, self.auth["kota"], "transfer", institution="KOTA-21.71.SATPOLPP",
                                   reason_code="wrong_unit")
        self.assertEqual(status, 422, "a transfer leaves the holder's subtree")
        done = self.act_ok(tid, "kota", "transfer", institution="KOTA-21.72", reason_code="other_institution",
                           note="Lokasi berada di Tanjungpinang.")
        self.assertEqual((done["tracking_id"], done["status"], done["institution"]), (tid, "transferred", "KOTA-21.72"))
        status, _ = self.sys.act(tid, self.auth["kota"], "dispatch", institution="KOTA-21.71.DISHUB")
        self.assertEqual(status, 403, "the old holder has no say any more")
        self.act_ok(tid, "tpi", "dispatch", institution="KOTA-21.72.SATPOLPP")
        view = self.staff_view(tid, "tpi")
        self.assertEqual([a["action"] for a in view["actions"]], ["submitted", "verify", "route", "transfer", "dispatch"])
        self.assertEqual(view["actions"][3]["reason_code"], "other_institution")
        self.assertEqual(self.clock(view, "follow_up")["institution"], "KOTA-21.72.SATPOLPP")

    def test_archive_needs_a_known_reason(self):
        tid, _ = self.submit(title="Promo pinjaman online murah", category="LAIN.UMUM")
        status, doc = self.sys.act(tid, self.auth["nas"], "archive")
        self.assertEqual(status, 422, doc)
        status, doc = self.sys.act(tid, self.auth["nas"], "archive", reason_code="no_such_reason")
        self.assertEqual(status, 422, doc)
        done = self.act_ok(tid, "nas", "archive", reason_code="spam")
        self.assertEqual((done["status"], done["public_status"]), ("archived", "archived"))
        status, doc = self.sys.act(tid, self.auth["nas"], "verify")
        self.assertEqual((status, doc["current_status"]), (409, "archived"))
        self.assertEqual(self.events(tid, "report.archived"), 1)
        self.assertEqual(self.clock(self.staff_view(tid), "verification", open_only=False)["outcome"], "met")

    def test_duplicates_are_detected_and_linked(self):
        text = "Saluran air di Jalan Sudirman tersumbat sampah dan meluap setiap hujan deras."
        original, _ = self.submit(category="PU.DRAINASE", title="Saluran tersumbat di Jalan Sudirman", body=text)
        copy, _ = self.submit(category="PU.DRAINASE", title="Saluran tersumbat di Jalan Sudirman", body=text + " Tolong.")
        view = self.sys.wait_for(lambda: (lambda v: v if v["prechecks"] else None)(self.staff_view(copy)),
                                 what="pre-checks of the copy")
        self.assertIn(original, view["prechecks"]["possible_duplicates"])
        status, doc = self.sys.act(copy, self.auth["nas"], "link_duplicate", duplicate_of=copy)
        self.assertEqual(status, 422, doc)
        done = self.act_ok(copy, "nas", "link_duplicate", duplicate_of=original)
        self.assertEqual(done["status"], "archived")
        self.assertEqual(self.staff_view(copy)["duplicate_of"], original)
        self.assertEqual(self.staff_view(original)["duplicates"], [copy])

    def test_prechecks_flag_abuse_and_missing_data(self):
        tid, _ = self.submit(title="Petugas goblok sekali", body="Petugas loket goblok, tidak melayani sama sekali.",
                             incident_date=None, location=None, reporter={"name": "Budi"})
        view = self.sys.wait_for(lambda: (lambda v: v if v["prechecks"] else None)(self.staff_view(tid)),
                                 what="pre-checks")
        self.assertEqual(view["prechecks"]["abuse_words"], ["goblok"])
        self.assertEqual(set(view["prechecks"]["missing"]), {"incident_date", "location", "contact"})

    def test_missed_verification_deadline_is_one_event(self):
        tid, _ = self.submit(title="Bantuan sosial belum cair", category="SOSIAL.BANSOS")
        self.sys.advance_days(9)  # past 3 working days whatever the weekday
        self.sys.wait_for(lambda: self.events(tid, "report.deadline_missed") >= 1, what="a missed deadline")
        view = self.staff_view(tid)
        self.assertTrue(self.clock(view, "verification")["missed_at"])
        desk = self.sys.json("GET", "/api/v1/desk?limit=200", headers=self.auth["nas"])[2]
        mine = [i for i in desk["items"] if i["tracking_id"] == tid][0]
        self.assertTrue(mine["deadlines"][0]["missed"])
        self.sys.advance_days(3)
        time.sleep(2.5)  # two more sweeps of the route service
        self.assertEqual(self.events(tid, "report.deadline_missed"), 1)

    def test_close_and_reopen_by_admin(self):
        tid, _ = self.submit(category="HUB.PARKIR", title="Parkir liar di depan sekolah")
        self.act_ok(tid, "nas", "verify")
        self.wait_status(tid, "dispatched")
        status, doc = self.sys.act(tid, self.auth["kota"], "close")
        self.assertEqual((status, doc["current_status"]), (409, "dispatched"))
        self.act_ok(tid, "kota", "follow_up", note="Sudah ditertibkan petugas.")
        done = self.act_ok(tid, "kota", "close", reason_code="resolved")
        self.assertEqual((done["status"], done["public_status"]), ("closed_by_admin", "completed"))
        status, doc = self.sys.act(tid, self.auth["kota"], "reopen")
        self.assertEqual(status, 422, "reopening needs a reason")
        done = self.act_ok(tid, "kota", "reopen", reason_code="not_resolved")
        self.assertEqual(done["status"], "in_process")
        self.assertEqual([a["actor_id"] for a in self.staff_view(tid)["actions"][-3:]], ["kota", "kota", "kota"])

    def test_retried_action_with_idempotency_key_acts_once(self):
        tid, _ = self.submit(category="DIK.PPDB", title="Pendaftaran sekolah ditolak sistem")
        short = dict(self.auth["nas"], **{"Idempotency-Key": "verify-once-1"})   # guessable: refused
        status, _, doc = self.sys.json("POST", f"/api/v1/reports/{tid}/actions", {"action": "verify"}, short)
        self.assertEqual(status, 400, doc)
        headers = dict(self.auth["nas"], **{"Idempotency-Key": "verify-once-0123456789"})
        answers = []
        post = lambda: answers.append(self.sys.json("POST", f"/api/v1/reports/{tid}/actions",  # noqa: E731
                                                    {"action": "verify"}, headers))
        together = [threading.Thread(target=post) for _ in range(5)]  # retries racing the first
        for t in together:
            t.start()
        for t in together:
            t.join()
        post()  # and one long after
        self.assertEqual([a[0] for a in answers], [200] * 6, answers)
        self.assertEqual(len({json.dumps(a[2], sort_keys=True) for a in answers}), 1)
        self.assertEqual(self.events(tid, "report.verified"), 1)

    def test_restarting_verify_and_route_loses_and_repeats_nothing(self):
        self.sys.verify.kill()
        tid, _ = self.submit(category="SOSIAL.DISABILITAS", title="Kursi roda bantuan belum diterima")
        self.sys.verify.start()
        self.sys.wait_for(lambda: self.staff_view(tid)["prechecks"], what="pre-checks after verify restarts")
        self.sys.route.kill()
        self.act_ok(tid, "nas", "verify")
        self.sys.route.start()
        view = self.wait_status(tid, "dispatched")
        self.assertEqual(view["institution"], "KOTA-21.71.DINSOS")
        self.sys.route.stop()
        self.sys.route.start()
        self.sys.verify.kill()
        self.sys.verify.start()
        self.act_ok(tid, "dinsos", "follow_up", note="Kursi roda dikirim minggu ini.")
        for type_ in ("report.verified", "report.dispatched", "report.followed_up"):
            self.assertEqual(self.events(tid, type_), 1, type_)
        self.assertEqual(int(self.sys.db.scalar(
            f"SELECT count(*) FROM report_prechecks p JOIN reports r ON r.id = p.report_id WHERE r.tracking_id = '{tid}'")), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
