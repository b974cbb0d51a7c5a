"""End to end: aduan-stats answers a statistics query from the documents it keeps (stats_cache.h)
only while nothing they were computed from has changed.

A varied set of reports goes through its life and every dashboard and staff query is asked, so
that each is kept. Then the data changes in every way the figures depend on (a reopen, a close,
a survey answer, a setting, an institution's name, facts written beside the events, a rebuild);
after each change every query is asked again, and the answers must equal those of a freshly
started aduan-stats, which has nothing kept and computes each from the facts. Each change must also move some answer, or the
comparison would prove nothing.

A kept document may answer for MAX_AGE seconds after the facts moved (ADUAN_STATS_MAX_AGE), saying
so in its "as_of": right after a change, an answer dated before it must be the one answered before
it; once MAX_AGE has passed since the change was counted, every answer is the fresh one, and a
document older than MAX_AGE is never answered. A restarted aduan-stats warms the public dashboard's
first load by itself; the summary's export (CSV and JSON) is the document the screen shows."""
import datetime
import time
import unittest

from aduan_harness import System, SystemTestCase, valid_report

STAFF = {
    "nas": ("national_admin", "NASIONAL"),
    "kota": ("institution_admin", "KOTA-21.71"),
    "pupr": ("unit_liaison", "KOTA-21.71.PUPR"),
}

# (view path, who asks or None for the public, query)
QUERIES = [
    ("summary", None, {}),
    ("summary", None, {"group_by": "region"}),
    ("summary", None, {"group_by": "category"}),
    ("summary", None, {"group_by": "channel"}),
    ("summary", None, {"group_by": "period", "period": "month"}),
    ("summary", None, {"group_by": "institution", "level": "unit"}),
    ("series", None, {"period": "day"}),
    ("rankings", None, {"level": "unit", "min_reports": "1"}),
    ("rankings", None, {"level": "city", "order": "speed", "min_reports": "1"}),
    ("ikm", None, {"level": "unit"}),
    ("ikm", None, {"institution": "KOTA-21.71.PUPR"}),
    ("export/summary", None, {"group_by": "region"}),
    ("summary", "nas", {"group_by": "classification"}),
    ("summary", "kota", {"group_by": "institution", "level": "unit"}),
    ("rankings", "kota", {"level": "unit", "min_reports": "1"}),
    ("summary", "pupr", {}),
    ("export/reports", "nas", {}),
]

MAX_AGE = 3

# what web/dashboard asks on its first load
FIRST_LOAD = [("summary", ""), ("summary", "?group_by=institution&level=city"), ("rankings", "?level=city"),
              ("ikm", "?level=city")]


def as_of(doc):
    return datetime.datetime.strptime(doc["as_of"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def undated(docs):
    return [{k: v for k, v in doc.items() if k != "as_of"} for doc in docs]


class StatsCache(SystemTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("statscache", lifecycle=True).start()
        try:
            cls.sys.stats.env["ADUAN_STATS_MAX_AGE"] = str(MAX_AGE)
            assert cls.sys.stats.stop() == 0
            cls.sys.stats.start()
            cls.auth = cls.sys.staff_sessions(STAFF)
            cls.tokens = {}
            cls.reports = cls.run_script()
        except BaseException:
            cls.sys.stop(failed=True)   # tearDownClass does not run after a failed setUpClass
            raise

    @classmethod
    def submit(cls, n, **overrides):
        status, _, doc = cls.sys.json("POST", "/api/v1/reports", valid_report(
            title=f"Lampu jalan padam di titik {n}", body=f"Lampu jalan nomor {n} padam sejak minggu lalu.",
            **overrides))
        assert status == 201, doc
        cls.tokens[doc["tracking_id"]] = {"Authorization": f"Bearer {doc['reporter_token']}"}
        return doc["tracking_id"]

    @classmethod
    def act(cls, tid, who, action, **fields):
        status, doc = cls.sys.act(tid, cls.auth[who], action, **fields)
        assert status == 200, (tid, action, doc)

    @classmethod
    def routed(cls, tid):
        def status():
            code, _, doc = cls.sys.json("GET", f"/api/v1/staff/reports/{tid}", headers=cls.auth["nas"])
            assert code == 200, doc
            return doc["status"]
        cls.sys.wait_for(lambda: status() == "dispatched", 20, f"{tid} routed")

    @classmethod
    def run_script(cls):
        """Nine reports in two cities and three channels: waiting, archived, dispatched, followed up
        and closed ones."""
        r = {"waiting": [], "archived": [], "handled": [], "followed": [], "closed": []}
        for n in range(9):
            kind = ("waiting", "archived", "handled", "followed", "closed", "closed", "followed", "handled", "waiting")[n]
            region = "21.72" if n in (1, 8) else "21.71"
            category = "SOSIAL.BANSOS" if region == "21.72" else "JALAN.BERLUBANG"
            r[kind].append(cls.submit(n, channel=("web", "api", "sms")[n % 3], region=region, category=category))
        for tid in r["archived"]:
            cls.act(tid, "nas", "archive", reason_code="spam")
        active = r["handled"] + r["followed"] + r["closed"]
        for tid in active:
            cls.act(tid, "nas", "verify")
        for tid in active:
            cls.routed(tid)
        for tid in r["followed"] + r["closed"]:
            cls.act(tid, "pupr", "follow_up", note="Sudah diganti.")
        for tid in r["closed"]:
            cls.act(tid, "kota", "close", reason_code="resolved")
        return r

    def answers(self):
        out = []
        for path, who, query in QUERIES:
            qs = "&".join(f"{k}={v}" for k, v in query.items())
            status, _, doc = self.sys.json("GET", f"/api/v1/stats/{path}" + (f"?{qs}" if qs else ""),
                                           headers=self.auth[who] if who else None)
            self.assertEqual(status, 200, (path, who, query, doc))
            out.append(doc)
        return out

    def fresh_answers(self):
        """The answers of an aduan-stats that has kept nothing: each computed from the facts."""
        self.assertEqual(self.sys.stats.stop(), 0, "aduan-stats stops gracefully, its warmer too")
        self.sys.stats.start()
        return self.sys.wait_for(self.answers_or_none, 30, "the restarted aduan-stats to answer")

    def assert_stale_ones_are_dated_and_bounded(self, name, before, changed_at):
        """Right after a change: an answer dated before it is the earlier one, none older than MAX_AGE."""
        now = time.time()
        answers = self.answers()
        stale = [query for query, a, b in zip(QUERIES, answers, before) if as_of(a) < changed_at]
        wrong = [query for query, a, b in zip(QUERIES, answers, before) if as_of(a) < changed_at and a != b]
        self.assertEqual(wrong, [], f"after {name}, an answer dated before the change is not the earlier one")
        too_old = [query for query, a in zip(QUERIES, answers) if now - as_of(a) > MAX_AGE + 1]
        self.assertEqual(too_old, [], f"after {name}, answers older than the max age")
        print(f"after {name}: {len(stale)} of {len(QUERIES)} answers stale", flush=True)

    def answers_or_none(self):
        try:
            return self.answers()
        except AssertionError:
            return None

    def cache_hits(self):
        metrics = self.sys.stats.admin_get("/metrics")[1]
        line = [l for l in metrics.splitlines() if l.startswith('aduan_stats_documents_total{source="cache"}')]
        return int(line[0].split()[-1]) if line else 0

    def rebuild(self):
        done = self.sys.rebuild_stats()
        self.assertEqual(done.returncode, 0, done.stderr)

    def test_a_started_aduan_stats_warms_the_dashboards_first_load(self):
        self.sys.wait_stats_counted()
        self.assertEqual(self.sys.stats.stop(), 0)
        self.sys.stats.start()
        self.sys.wait_for(lambda: self.computed() >= len(FIRST_LOAD) or None, 30, "the warmer to compute them")
        hits = self.cache_hits()
        for path, qs in FIRST_LOAD:
            self.assertEqual(self.sys.json("GET", f"/api/v1/stats/{path}{qs}")[0], 200)
        self.assertEqual(self.cache_hits() - hits, len(FIRST_LOAD), "each answered from a kept document")

    def test_an_export_is_the_document_the_screen_shows(self):
        self.sys.wait_stats_counted()
        path = "/api/v1/stats/{}?group_by=region"
        for _ in range(5):   # the warmer may replace the document meanwhile: then once more
            screen = self.sys.json("GET", path.format("summary"))[2]
            status, headers, csv = self.sys.request("GET", path.format("export/summary") + "&format=csv")
            exported = self.sys.json("GET", path.format("export/summary"))[2]
            if self.sys.json("GET", path.format("summary"))[2] == screen:
                break
        self.assertEqual(status, 200, csv)
        self.assertEqual(headers.get("x-aduan-as-of"), screen["as_of"], "the CSV's rows are the screen's document")
        self.assertEqual(exported, screen)

    def computed(self):
        metrics = self.sys.stats.admin_get("/metrics")[1]
        line = [l for l in metrics.splitlines() if l.startswith('aduan_stats_documents_total{source="computed"}')]
        return int(line[0].split()[-1]) if line else 0

    def test_a_document_past_the_max_age_is_not_answered_once_the_facts_move(self):
        self.sys.wait_stats_counted()
        self.answers()
        time.sleep(MAX_AGE + 1.5)
        generation = self.sys.db.scalar("SELECT sum(n) FROM stats_generation")
        self.sys.db.scalar("UPDATE institutions SET name = name WHERE code = 'KOTA-21.71.PUPR' RETURNING 1")
        self.assertNotEqual(self.sys.db.scalar("SELECT sum(n) FROM stats_generation"), generation)
        now = time.time()
        too_old = [query for query, a in zip(QUERIES, self.answers()) if now - as_of(a) > MAX_AGE + 1]
        self.assertEqual(too_old, [], "answered though older than the max age")

    def test_kept_answers_equal_a_fresh_computation_after_every_kind_of_change(self):
        self.sys.wait_stats_counted()
        first = self.answers()
        hits = self.cache_hits()
        self.assertTrue(undated(self.answers()) == undated(first), "asked twice, nothing changed")
        self.assertEqual(self.cache_hits() - hits, len(QUERIES), "the second time every answer is a kept one")
        closed, followed = self.reports["closed"], self.reports["followed"]
        changes = [
            ("a reopen (the completion is taken back)",
             lambda: self.act(closed[0], "kota", "reopen", reason_code="not_resolved")),
            ("a close", lambda: self.act(followed[0], "kota", "close", reason_code="resolved")),
            ("a survey answer", lambda: self.assertEqual(self.sys.json(
                "POST", f"/api/v1/reports/{closed[1]}/survey", {"answers": [4, 3, 4, 4, 2, 4, 3, 4, 4]},
                headers=self.tokens[closed[1]])[0], 201)),
            ("a public minimum of 2", lambda: self.sys.db.scalar(
                "INSERT INTO stats_settings (key, value) VALUES ('public_min_count', 2) ON CONFLICT (key) "
                "DO UPDATE SET value = 2 RETURNING 1")),
            ("an institution renamed", lambda: self.sys.db.scalar(
                "UPDATE institutions SET name = 'Dinas Pekerjaan Umum Kota Batam (baru)' "
                "WHERE code = 'KOTA-21.71.PUPR' RETURNING 1")),
            ("facts changed beside the events", lambda: self.sys.db.scalar(
                "UPDATE stat_reports SET channel = 'whatsapp' WHERE channel = 'web'; SELECT stat_rollup_recount()")),
            ("a rebuild from the log (which undoes that)", self.rebuild),
        ]
        before = first
        for name, change in changes:
            with self.subTest(change=name):
                changed_at = time.time()
                change()
                self.sys.wait_stats_counted()
                counted_at = time.time()
                self.assert_stale_ones_are_dated_and_bounded(name, before, changed_at)
                # a document computed before the last move is dated before counted_at: past the bound now
                time.sleep(max(0.0, counted_at + MAX_AGE + 0.2 - time.time()))
                kept = undated(self.answers())
                fresh = undated(self.fresh_answers())
                wrong = [query for query, a, b in zip(QUERIES, kept, fresh) if a != b]
                self.assertEqual(wrong, [], f"after {name}, kept answers differ from computed ones")
                self.assertTrue(fresh != undated(before), f"{name} moves no figure: the comparison would prove nothing")
                before = self.answers()   # the restarted aduan-stats's kept ones


if __name__ == "__main__":
    unittest.main()
