"""End to end: statistics counted by aduan-stats from the event log, through real processes.

A scripted set of reports goes through its life; the figures of /api/v1/stats are then compared
with numbers this test computes itself from its own script and from the reports' action times.
Also: the rebuild from the log gives the very same documents, rankings (the national 2022 example
of DOMAIN.md), the satisfaction index at its grade boundaries, public withholding of small counts,
scoping, and the CSV/JSON exports."""
import csv
import datetime
import io
import statistics
import unittest
from fractions import Fraction

from aduan_harness import System, SystemTestCase, valid_report

STAFF = {
    "nas": ("national_admin", "NASIONAL"),
    "kota": ("institution_admin", "KOTA-21.71"),
    "pupr": ("unit_liaison", "KOTA-21.71.PUPR"),
    "analis": ("analyst", "KOTA-21.71"),
    "tpi": ("analyst", "KOTA-21.72"),
}


# the rollup (stat_rollup and its times) as text, row by row, or (AFRESH) as counted from stat_reports
ROLLUP_TEXT = ("SELECT string_agg(r.line, E'\\n' ORDER BY r.line) FROM (SELECT g::text AS line FROM stat_rollup g "
               "UNION ALL SELECT t::text FROM stat_rollup_times t) r")
AFRESH_TEXT = ("SELECT string_agg(r.line, E'\\n' ORDER BY r.line) FROM ("
               "SELECT g::text AS line FROM stat_group('{}', ARRAY(SELECT s FROM stat_reports s), false) g "
               "UNION ALL SELECT t::text FROM stat_times('{}', ARRAY(SELECT s FROM stat_reports s), false) t) r")


def seconds(a, b):
    parse = lambda t: datetime.datetime.fromisoformat(t.replace("Z", "+00:00"))
    return (parse(b) - parse(a)).total_seconds()


class Stats(SystemTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("stats", lifecycle=True).start()
        cls.auth = cls.sys.staff_sessions(STAFF)
        cls.script = cls.run_script()
        # before any test writes facts beside the events (and counts the rollup afresh after)
        cls.sys.wait_stats_counted()
        cls.rollup_folded = cls.sys.db.scalar(ROLLUP_TEXT)
        cls.rollup_afresh = cls.sys.db.scalar(AFRESH_TEXT)

    # --- the scripted set --------------------------------------------------------------------

    @classmethod
    def submit(cls, n, **overrides):
        status, _, doc = cls.sys.json("POST", "/api/v1/reports", valid_report(
            title=f"Jalan rusak di lokasi {n}", body=f"Kerusakan jalan nomor {n} makin parah, mohon ditangani.",
            **overrides))
        assert status == 201, doc
        return doc["tracking_id"], {"Authorization": f"Bearer {doc['reporter_token']}"}

    @classmethod
    def act(cls, tid, who, action, **fields):
        status, doc = cls.sys.act(tid, cls.auth[who] if isinstance(who, str) else who, action, **fields)
        assert status == 200, (tid, action, doc)

    @classmethod
    def routed(cls, tid):
        cls.sys.wait_for(lambda: cls.view(tid)["status"] == "dispatched", 20, f"{tid} routed")

    @classmethod
    def view(cls, tid):
        status, _, doc = cls.sys.json("GET", f"/api/v1/staff/reports/{tid}", headers=cls.auth["nas"])
        assert status == 200, doc
        return doc

    @classmethod
    def run_script(cls):
        """12 reports in Batam (roads → KOTA-21.71.PUPR) and 2 in Tanjungpinang; returns what each
        became, and the reporter tokens of the closed ones."""
        script = {"waiting": [], "postponed": [], "archived": [], "dispatched": [], "in_process": [],
                  "completed": [], "tanjungpinang": [], "tokens": {}}
        n = 0
        for bucket, count in (("waiting", 3), ("postponed", 1), ("archived", 1), ("dispatched", 3),
                              ("in_process", 2), ("completed", 2)):
            for _ in range(count):
                n += 1
                tid, token = cls.submit(n, channel="web" if n % 2 else "api")
                script[bucket].append(tid)
                script["tokens"][tid] = token
        for tid in script["postponed"]:
            cls.act(tid, "nas", "postpone", reason_code="needs_data", note="Di mana tepatnya?")
        for tid in script["archived"]:
            cls.act(tid, "nas", "archive", reason_code="spam")
        for tid in script["dispatched"] + script["in_process"] + script["completed"]:
            cls.act(tid, "nas", "verify")
        for tid in script["dispatched"] + script["in_process"] + script["completed"]:
            cls.routed(tid)
        for tid in script["in_process"] + script["completed"]:
            cls.act(tid, "pupr", "follow_up", note="Sudah ditambal.")
        for tid in script["completed"]:
            cls.act(tid, "kota", "close", reason_code="resolved")
        for _ in range(2):
            n += 1
            tid, _ = cls.submit(n, region="21.72", category="SOSIAL.BANSOS")
            script["tanjungpinang"].append(tid)
        return script

    def counted(self):
        self.sys.wait_stats_counted()

    def stats(self, path, who="nas", **query):
        qs = "&".join(f"{k}={v}" for k, v in query.items())
        status, _, doc = self.sys.json("GET", f"/api/v1/stats/{path}" + (f"?{qs}" if qs else ""),
                                       headers=self.auth[who] if who else None)
        self.assertEqual(status, 200, doc)
        return doc

    # --- the tests ----------------------------------------------------------------------------

    def test_summary_equals_numbers_computed_from_the_script(self):
        self.counted()
        s = self.script
        batam = self.stats("summary", region="21.71")["groups"][0]
        expected = {"received": 12, "not_yet_verified": 4, "not_yet_followed_up": 3, "in_process": 2, "completed": 2,
                    "postponed": 1, "archived": 1, "transferred": 0, "completion_rate": round(2 * 100 / 12, 2)}
        self.assertEqual({k: batam[k] for k in expected}, expected)
        handled = s["dispatched"] + s["in_process"] + s["completed"]
        views = {tid: self.view(tid) for tid in handled}

        def at(view, action):
            return [a["at"] for a in view["actions"] if a["action"] == action][0]

        # The desk's decision: verified, or archived (the postponed report has had none yet).
        archived = self.view(s["archived"][0])
        to_verification = ([seconds(at(v, "submitted"), at(v, "verify")) for v in views.values()]
                           + [seconds(at(archived, "submitted"), at(archived, "archive"))])
        to_follow_up = [seconds(at(v, "route"), at(v, "follow_up")) for v in views.values()
                        if v["tracking_id"] in s["in_process"] + s["completed"]]
        to_completion = [seconds(at(views[t], "submitted"), at(views[t], "close")) for t in s["completed"]]
        for name, samples in (("seconds_to_verification", to_verification),
                              ("seconds_dispatch_to_follow_up", to_follow_up),
                              ("seconds_to_completion", to_completion)):
            self.assertAlmostEqual(batam[name]["median"], statistics.median(samples), delta=1.0, msg=name)
        self.assertEqual(batam["verification_compliance"], 100.0)
        self.assertEqual((batam["ever_postponed"], batam["ever_transferred"]), (1, 0))
        by_channel = {g["key"]: g["received"] for g in self.stats("summary", group_by="channel")["groups"]}
        self.assertEqual(by_channel, {"web": 6 + 2, "api": 6})
        by_city = {g["key"]: g for g in self.stats("summary", group_by="institution", level="city")["groups"]}
        self.assertEqual(set(by_city), {"KOTA-21.71"}, "only routed reports have a holder")
        self.assertEqual(by_city["KOTA-21.71"]["received"], 7)
        series = self.stats("series", period="day")["groups"]
        today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7)))
        self.assertEqual([(g["key"], g["received"]) for g in series],
                         [(today.strftime("%Y-%m-%d"), 14)])

    def test_the_rollup_folded_run_by_run_equals_one_counted_afresh(self):
        """aduan-stats folds each consumer run's changed reports into stat_rollup; after the
        script's submissions, verifications, dispatches, follow-ups and closings, it is the rollup
        counted from the facts."""
        self.assertGreaterEqual(len(self.rollup_afresh.splitlines()), 10, "the data reach several groups and times")
        self.assertEqual(self.rollup_folded, self.rollup_afresh)

    def test_rebuild_from_the_log_gives_identical_numbers(self):
        self.counted()
        queries = [("summary", {}), ("summary", {"group_by": "region"}), ("summary", {"group_by": "category"}),
                   ("series", {"period": "month"}), ("rankings", {"level": "unit", "min_reports": "1"})]
        before = [self.stats(path, **q) for path, q in queries]
        facts_before = self.sys.db.scalar("SELECT md5(string_agg(s::text, ',' ORDER BY tracking_id)) FROM stat_reports s")
        done = self.sys.rebuild_stats()
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn(b"statistics rebuilt from", done.stdout)
        self.assertEqual(self.sys.db.scalar("SELECT md5(string_agg(s::text, ',' ORDER BY tracking_id)) "
                                            "FROM stat_reports s"), facts_before)
        undated = [{k: v for k, v in doc.items() if k != "as_of"} for doc in before]
        self.assertEqual([{k: v for k, v in self.stats(path, **q).items() if k != "as_of"} for path, q in queries],
                         undated, "the same figures (computed again: the rebuild moved stats_generation)")

    def test_public_figures_withhold_small_counts_and_staff_see_their_scope(self):
        self.counted()
        public = self.stats("summary", who=None, region="21.72")["groups"][0]
        self.assertIsNone(public["received"], "2 reports could point at a person")
        self.assertIsNone(public["completion_rate"])
        self.assertEqual(self.stats("summary", who="nas", region="21.72")["groups"][0]["received"], 2)
        batam_public = self.stats("summary", who=None, region="21.71")["groups"][0]
        self.assertEqual(batam_public["received"], 12)
        self.assertEqual(batam_public["completed"], 2, "a group large enough shows all its figures")
        analyst = self.stats("summary", who="analis")["groups"][0]
        self.assertEqual(analyst["received"], 7, "an analyst of Batam sees the reports Batam holds")
        status, _, _ = self.sys.json("GET", "/api/v1/stats/summary?institution=KOTA-21.72",
                                     headers=self.auth["analis"])
        self.assertEqual(status, 403)
        status, _, doc = self.sys.json("GET", "/api/v1/stats/summary?group_by=colour", headers=self.auth["nas"])
        self.assertEqual(status, 422, doc)
        for query in ("from=2026-02-31", "to=yesterday", "region=21%25", "category=JALAN_%25"):
            status, _, doc = self.sys.json("GET", f"/api/v1/stats/summary?{query}", headers=self.auth["nas"])
            self.assertEqual(status, 422, (query, doc))
        # '_' is allowed in codes (classifications, channels) and must match itself, not any character.
        self.assertEqual(self.stats("summary", region="2_")["groups"], [])
        status, headers, _ = self.sys.json("GET", "/api/v1/stats/summary",
                                           headers={"Authorization": "Bearer " + "x" * 300})
        self.assertEqual(status, 401, "a malformed token is refused, not served the public view")
        above = self.stats("summary", who="analis", group_by="institution", level="province")["groups"]
        self.assertEqual(above, [], "no group for an institution above the analyst's own")
        units = self.stats("summary", who="analis", group_by="institution", level="unit")["groups"]
        self.assertEqual([(g["key"], g["received"]) for g in units], [("KOTA-21.71.PUPR", 7)])
        public = self.stats("rankings", who=None, level="unit", min_reports="1")
        self.assertEqual(public["min_reports"], 5, "the public never sees a ranking of tiny groups")

    def test_exports_are_rfc4180_csv_and_json_without_content(self):
        self.counted()
        status, headers, raw = self.sys.request("GET", "/api/v1/stats/export/reports?format=csv",
                                                headers=self.auth["analis"])
        self.assertEqual(status, 200, raw)
        self.assertTrue(headers["content-type"].startswith("text/csv"))
        text = raw.decode("utf-8")
        self.assertTrue(text.endswith("\r\n"))
        self.assertNotIn("\n", text.replace("\r\n", ""), "every line ends with CRLF")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        self.assertEqual(len(rows), 7)
        self.assertEqual(set(r["institution"] for r in rows), {"KOTA-21.71.PUPR"})
        self.assertNotIn("title", rows[0])
        self.assertNotIn("Jalan rusak", text)
        self.assertNotIn("siti", text.lower())
        status, _, doc = self.sys.json("GET", "/api/v1/stats/export/reports?format=json", headers=self.auth["analis"])
        self.assertEqual([i["tracking_id"] for i in doc["items"]], [r["tracking_id"] for r in rows])
        status, _, _ = self.sys.request("GET", "/api/v1/stats/export/reports?format=csv")
        self.assertEqual(status, 401, "exports of reports are for staff")
        status, _, raw = self.sys.request("GET", "/api/v1/stats/export/summary?format=csv&group_by=region",
                                          headers=self.auth["nas"])
        table = list(csv.DictReader(io.StringIO(raw.decode(), newline="")))
        self.assertEqual({r["key"]: r["received"] for r in table}, {"21.71": "12", "21.72": "2"})
        self.assertIn("seconds_to_verification.median", table[0])

    def test_rankings_of_the_national_2022_example(self):
        """273 received, 271 completed, 2 in process → 99.27 % (DOMAIN.md), ranked first; a city
        with fewer reports than the minimum is listed as not ranked; a tie goes to the one with
        more reports."""
        rows = []
        for i in range(273):
            rows.append(("KOTA-21.71.PUPR", "completed" if i < 271 else "in_process", i))
        for i in range(9):
            rows.append(("KOTA-21.72.PUPR", "completed", i))
        values = ",".join(
            f"('T2022-{inst[-9:]}-{i:04d}', 1, '2022-06-01T03:00:00Z', 'complaint', 'JALAN.BERLUBANG', '21.71', "
            f"'web', '{inst}', '{'closed_by_admin' if bucket == 'completed' else 'in_process'}', '{bucket}', "
            f"'2022-06-01T05:00:00Z', '2022-06-01T06:00:00Z', '2022-06-02T06:00:00Z', "
            f"{'NULL' if bucket != 'completed' else repr('2022-06-10T06:00:00Z')})"
            for inst, bucket, i in rows)
        self.sys.db.scalar(
            "INSERT INTO stat_reports (tracking_id, last_seq, submitted_at, classification, category_code, "
            "region_code, channel, institution_code, status, public_status, verified_at, dispatched_at, "
            f"followed_up_at, completed_at) VALUES {values}; SELECT stat_rollup_recount()")
        try:
            doc = self.stats("rankings", who=None, level="city", order="completion",
                             **{"from": "2022-01-01", "to": "2022-12-31"})
            self.assertEqual(doc["min_reports"], 10)
            self.assertEqual([(i["rank"], i["key"], i["received"], i["completed"], i["in_process"],
                               i["completion_rate"]) for i in doc["items"]],
                             [(1, "KOTA-21.71", 273, 271, 2, 99.27)])
            self.assertEqual([(n["key"], n["received"]) for n in doc["not_ranked"]], [("KOTA-21.72", 9)])
            doc = self.stats("rankings", level="city", min_reports="5", **{"from": "2022-01-01", "to": "2022-12-31"})
            self.assertEqual([(i["rank"], i["key"], i["completion_rate"]) for i in doc["items"]],
                             [(1, "KOTA-21.72", 100.0), (2, "KOTA-21.71", 99.27)])
            doc = self.stats("rankings", level="city", order="speed", min_reports="5",
                             **{"from": "2022-01-01", "to": "2022-12-31"})
            self.assertEqual([i["key"] for i in doc["items"]], ["KOTA-21.71", "KOTA-21.72"],
                             "equal medians: the one with more reports first")
            self.assertIn("more reports received", doc["tie_break"])
        finally:
            self.sys.db.scalar("DELETE FROM stat_reports WHERE tracking_id LIKE 'T2022-%'; SELECT stat_rollup_recount()")

    def test_reporter_answers_the_survey_of_a_closed_report_once(self):
        closed = self.script["completed"][0]
        token = self.script["tokens"][closed]
        answers = {"answers": [4, 4, 3, 4, None, 4, 4, 3, 4]}
        status, _, doc = self.sys.json("POST", f"/api/v1/reports/{closed}/survey", answers,
                                       headers={"Authorization": "Bearer wrong"})
        self.assertEqual(status, 404, doc)
        status, _, doc = self.sys.json("POST", f"/api/v1/reports/{closed}/survey", answers, headers=token)
        self.assertEqual(status, 201, doc)
        status, _, doc = self.sys.json("POST", f"/api/v1/reports/{closed}/survey", answers, headers=token)
        self.assertEqual((status, doc["type"].rsplit("/", 1)[-1]), (409, "survey-answered"))
        waiting = self.script["waiting"][0]
        status, _, doc = self.sys.json("POST", f"/api/v1/reports/{waiting}/survey", answers,
                                       headers=self.script["tokens"][waiting])
        self.assertEqual(status, 409, "the survey opens when the report is closed")
        for wrong in ({"answers": [4] * 8}, {"answers": [5] + [4] * 8}, {"answers": [None] * 9}, {}):
            status, _, doc = self.sys.json("POST", f"/api/v1/reports/{closed}/survey", wrong, headers=token)
            self.assertEqual(status, 422, (wrong, doc))
        ikm = self.stats("ikm", institution="KOTA-21.71.PUPR")
        self.assertEqual(ikm["respondents"], 1)
        self.assertEqual(ikm["elements"][4], {"element": "U5", "answered": 0, "nrr": None})
        self.assertIsNone(ikm["ikm"], "an element nobody answered leaves the index undefined")

    def test_ikm_is_computed_exactly_with_unanswered_elements(self):
        institution = "KOTA-21.72.DINSOS"
        sets = [[4, 4, 4, None, 4, 4, 4, 4, 4], [3, 3, 3, 3, 3, 3, 3, 3, 3], [4, 3, 4, 3, 4, 3, 4, 3, None],
                [2, 3, 4, 4, 3, 2, 4, 4, 3], [4, 4, 4, 4, 4, 4, 4, 4, 4]]
        codes = self.sys.survey_codes(self.auth["nas"], institution, len(sets))
        for answers, code in zip(sets, codes):
            status, _, doc = self.sys.json("POST", "/api/v1/surveys",
                                           {"institution": institution, "code": code, "answers": answers})
            self.assertEqual(status, 201, doc)
        nrr = []
        for k in range(9):
            given = [a[k] for a in sets if a[k] is not None]
            nrr.append(Fraction(sum(given), len(given)))
        exact = sum(nrr) * 25 / 9
        expected = float((exact * 100 + Fraction(1, 2)) // 1 / 100)
        doc = self.stats("ikm", institution=institution)
        self.assertEqual((doc["respondents"], doc["ikm"]), (5, expected))
        self.assertEqual(doc["grade"], "A" if expected >= 88.31 else "B" if expected >= 76.61 else "C")
        self.assertEqual([e["answered"] for e in doc["elements"]], [5, 5, 5, 4, 5, 5, 5, 5, 4])
        status, _, doc = self.sys.json("POST", "/api/v1/surveys", {"institution": "NOPE", "code": codes[0],
                                                                   "answers": sets[0]})
        self.assertEqual(status, 422, doc)
        public = self.stats("ikm", who=None, institution="KOTA-21.72.PUPR")
        self.assertEqual((public["respondents"], public["ikm"]), (0, None))
        units = self.stats("ikm", institution="KOTA-21.72", level="unit")
        by_unit = {i["institution"]: i for i in units["items"]}
        self.assertEqual(len(by_unit), 6, "every unit of the city, answered or not")
        self.assertEqual((by_unit[institution]["respondents"], by_unit[institution]["ikm"]), (5, expected))
        self.assertEqual(by_unit["KOTA-21.72.PUPR"]["respondents"], 0)

    def test_every_service_exposes_its_technical_metrics_and_stats_the_business_gauges(self):
        self.counted()
        expected = {
            "gateway": ["aduan_http_requests_total{", "aduan_http_request_seconds_bucket{"],
            "intake0": ["aduan_commands_total{", "aduan_command_seconds_bucket{"],
            "verify": ["aduan_commands_total{", "aduan_consumer_lag_events{", "aduan_consumer_events_total{"],
            "route": ["aduan_commands_total{", "aduan_consumer_lag_events{", "aduan_consumer_events_total{"],
            "stats": ["aduan_consumer_lag_events{group=\"stats\"}", "aduan_reports{public_status=\"completed\"} 2",
                      "aduan_reports_deadline_missed{deadline=\"verification\"}"],
        }
        services = {s.name: s for s in [self.sys.gateway, self.sys.stats] + self.sys.intakes
                    + self.sys.lifecycle_services()}
        for name, families in expected.items():
            text = self.sys.wait_for(lambda: (lambda body: body if all(f in body for f in families) else None)(
                services[name].admin_get("/metrics")[1]), 10, f"the metrics of {name}")
            for family in families:
                self.assertIn(family, text, name)

    def test_grade_boundaries_and_exact_rounding(self):
        grade = lambda v: self.sys.db.scalar(f"SELECT ikm_grade({v})")
        for value, expected in (("100", "A"), ("88.31", "A"), ("88.30", "B"), ("88.305", "A"), ("76.61", "B"),
                                ("76.60", "C"), ("65.00", "C"), ("64.99", "D"), ("64.994", "D"), ("25", "D")):
            self.assertEqual(grade(value), expected, value)
        # 9 elements answered 35322 points by 10 000 respondents each: IKM = 25/9 × 9 × 3.5322 = 88.305
        # exactly, which rounds half up to 88.31 (A); a weight rounded to 0.111 would give 88.22 (B).
        hundredths = self.sys.db.scalar("SELECT ikm_hundredths(array_fill(35322::numeric, ARRAY[9]), "
                                        "array_fill(10000::numeric, ARRAY[9]))")
        self.assertEqual(hundredths, "8831")
        thirds = self.sys.db.scalar("SELECT ikm_hundredths(ARRAY[10,10,10,10,10,10,10,10,11]::numeric[], "
                                    "ARRAY[3,3,3,3,3,3,3,3,3]::numeric[])")
        exact = Fraction(25, 9) * Fraction(91, 3)
        self.assertEqual(int(thirds), int((exact * 100 + Fraction(1, 2)) // 1))


if __name__ == "__main__":
    unittest.main(verbosity=2)
