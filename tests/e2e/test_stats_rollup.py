"""End to end: the summary and the rankings, now read from the rollup stat_rollup (migration 0037),
give exactly the figures the per-report queries gave before it (tests/e2e/stats_oracle/*.sql, the
queries of services/stats/stats_views.c before the rollup), on varied facts.

The facts are written beside the events, as the benchmarks write them (and counted into the rollup
afresh, stat_rollup_recount, as their seeds do): 1 500 reports over ten
Jakarta months with submission times close to Jakarta midnights and month ends, every public
bucket, unrouted ones, categories at both levels, four channels, microseconds in every time and
times shared by many reports (so a median falls between two equal or two different values). They
are then changed as counting changes them (a report moves to another holder, category and month
bucket, is reopened, deleted), each change folded into the rollup as aduan-stats folds a consumer
run (stat_rollup_fold: the reports as they were minus, as they are plus), so that the rollup has
followed inserts, updates and deletes; test_stats.py checks the fold of real runs. Each
query is asked of aduan-stats through the gateway, publicly (with small groups withheld) and as a
national admin, and compared with the oracle run on the same database; the rollup must also equal
one counted afresh from stat_reports.

Stopping aduan-stats cancels a warming statement instead of waiting for it (up to 30 s and more)."""
import json
import os
import subprocess
import time
import unittest

from aduan_harness import System, SystemTestCase

HERE = os.path.dirname(os.path.abspath(__file__))

FACTS = """
INSERT INTO stat_reports (tracking_id, last_seq, submitted_at, classification, category_code, region_code, channel,
                          institution_code, status, public_status, ever_postponed, ever_transferred, supports,
                          verified_at, dispatched_at, followed_up_at, completed_at, verification_missed,
                          follow_up_missed, resolution_missed)
SELECT 'R' || n, 1, t.at, (ARRAY['complaint', 'aspiration', 'information'])[1 + n % 3],
       c.codes[1 + (n * 7) % cardinality(c.codes)], (ARRAY['21.71', '21.72', '21.71.01', '21.01'])[1 + (n / 3) % 4],
       (ARRAY['web', 'api', 'sms', 'whatsapp'])[1 + (n / 5) % 4],
       CASE WHEN n % 11 = 0 THEN NULL ELSE u.codes[1 + (n * 13) % cardinality(u.codes)] END,
       st.status, st.public_status, n % 9 = 0, n % 10 = 0, n % 4,
       CASE WHEN n % 4 <> 0 THEN t.at + CASE WHEN n % 3 = 0 THEN interval '20 hours'
                                             ELSE (n * 7919 % 200000) * interval '1 second' + (n % 997) * interval '1 microsecond' END END,
       CASE WHEN n % 3 <> 0 THEN t.at + interval '21 hours' END,
       CASE WHEN n % 5 > 1 THEN t.at + CASE WHEN n % 2 = 0 THEN interval '3 days'
                                            ELSE (n * 104729 % 500000) * interval '1 second' + (n % 13) * interval '1 microsecond' END END,
       CASE WHEN st.public_status = 'completed' THEN t.at + (86400 + n * 15485863 % 1500000) * interval '1 second' END,
       n % 7 = 0, n % 8 = 0, n % 12 = 0
FROM generate_series(1::bigint, 1500) n
CROSS JOIN LATERAL (SELECT timestamptz '2026-01-31 16:30:00+00' + (n * 2654435761 % (300 * 86400)) * interval '1 second'
                           + (n % 17) * interval '1 hour' AS at) t
CROSS JOIN LATERAL (SELECT s.status, s.public_status FROM report_statuses s ORDER BY s.status
                    OFFSET n % (SELECT count(*) FROM report_statuses) LIMIT 1) st,
     (SELECT array_agg(code ORDER BY code) AS codes FROM institutions WHERE kind = 'unit') u,
     (SELECT array_agg(code ORDER BY code) AS codes FROM categories) c
"""

# Each change, then its fold: `before` holds the reports as they were, the fold takes them all as
# they were and as they are now (those the change left alone must cancel out; a deleted one is only
# in the first).
FOLDED = ("CREATE TEMP TABLE before AS SELECT * FROM stat_reports; {change}; "
          "SELECT stat_rollup_fold(ARRAY(SELECT ROW(b.*)::stat_reports FROM before b), "
          "ARRAY(SELECT s FROM stat_reports s))")

# what counting does to facts: a report moves to another holder and category, is reopened, another
# closed, one deleted (a rebuild deletes them all), one added
CHANGES = [
    "UPDATE stat_reports SET institution_code = 'KOTA-21.72.PUPR', category_code = 'JALAN.BERLUBANG', last_seq = 2 "
    "WHERE tracking_id IN (SELECT tracking_id FROM stat_reports WHERE tracking_id LIKE 'R%3' ORDER BY tracking_id LIMIT 40)",
    "UPDATE stat_reports SET completed_at = NULL, status = 'in_process', public_status = 'in_process', last_seq = 3 "
    "WHERE public_status = 'completed' AND tracking_id LIKE 'R%7'",
    "UPDATE stat_reports SET completed_at = followed_up_at + interval '1 day', status = 'closed_by_admin', "
    "public_status = 'completed', last_seq = 4 WHERE followed_up_at IS NOT NULL AND completed_at IS NULL "
    "AND tracking_id LIKE 'R%1'",
    "DELETE FROM stat_reports WHERE tracking_id LIKE 'R%5'",
    "UPDATE stat_reports SET submitted_at = submitted_at - interval '40 days', last_seq = 5 WHERE tracking_id LIKE 'R%9'",
]

# (view, query): asked publicly and as a national admin
QUERIES = [
    ("summary", {}),
    ("summary", {"group_by": "institution", "level": "unit"}),
    ("summary", {"group_by": "institution", "level": "city"}),
    ("summary", {"group_by": "institution", "level": "province"}),
    ("summary", {"group_by": "region"}),
    ("summary", {"group_by": "category"}),
    ("summary", {"group_by": "classification"}),
    ("summary", {"group_by": "channel"}),
    ("summary", {"group_by": "period", "period": "month"}),
    ("summary", {"group_by": "period", "period": "year"}),
    ("summary", {"group_by": "period", "period": "day", "from": "2026-03-25", "to": "2026-04-05"}),
    ("summary", {"from": "2026-03-01", "to": "2026-05-31"}),
    ("summary", {"group_by": "period", "from": "2026-02-28", "to": "2026-06-01"}),
    ("summary", {"group_by": "channel", "from": "2026-03-17", "to": "2026-03-18"}),
    ("summary", {"group_by": "region", "to": "2026-07-15"}),
    ("summary", {"group_by": "category", "from": "2026-04-10"}),
    ("summary", {"institution": "KOTA-21.71", "group_by": "institution", "level": "unit"}),
    ("summary", {"region": "21.71", "category": "JALAN", "group_by": "period"}),
    ("summary", {"classification": "complaint", "channel": "web", "group_by": "region"}),
    ("summary", {"category": "JALAN.BERLUBANG", "from": "2026-05-01", "to": "2026-08-31"}),
    ("rankings", {"level": "unit"}),
    ("rankings", {"level": "unit", "order": "speed", "min_reports": "3"}),
    ("rankings", {"level": "city", "min_reports": "1", "from": "2026-04-15", "to": "2026-09-30"}),
    ("rankings", {"level": "province", "order": "speed"}),
    ("rankings", {"level": "unit", "institution": "KOTA-21.72", "region": "21.72", "min_reports": "0"}),
]

SUMMARY_DEFAULTS = {"group_by": "none", "period": "month"}
RANKINGS_DEFAULTS = {"order": "completion"}
PARAMS = {"summary": ["from", "to", "institution", "region", "category", "classification", "channel", "group_by",
                      "period", "level"],
          "rankings": ["from", "to", "institution", "region", "category", "classification", "channel", "order",
                       "min_reports", "level"]}


def literal(value):
    return "NULL" if value is None else "'" + str(value).replace("'", "''") + "'"


class StatsRollup(SystemTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("statsrollup", lifecycle=True).start()
        try:
            cls.auth = cls.sys.staff_sessions({"nas": ("national_admin", "NASIONAL")})
            cls.sys.db.scalar(FACTS + "; SELECT stat_rollup_recount()")
            for sql in CHANGES:
                cls.sys.db.scalar(FOLDED.format(change=sql))
            cls.sys.db.scalar(FOLDED.format(change=
                "INSERT INTO stat_reports (tracking_id, last_seq, submitted_at, classification, "
                "category_code, region_code, channel, status, public_status) VALUES ('R-late', 1, "
                "'2026-05-31T17:00:00Z', 'complaint', 'JALAN', '21.71', 'web', 'waiting_verification', "
                "'not_yet_verified')"))
        except BaseException:
            cls.sys.stop(failed=True)
            raise

    def oracle(self, view, query, public):
        defaults = SUMMARY_DEFAULTS if view == "summary" else RANKINGS_DEFAULTS
        values = [query.get(name, defaults.get(name)) for name in PARAMS[view]] + ["t" if public else "f"]
        with open(os.path.join(HERE, "stats_oracle", f"{view}.sql")) as f:
            sql = "".join(line for line in f if not line.startswith("--"))
        types = ", ".join(["text"] * 10 + ["boolean"])
        return json.loads(self.sys.db.scalar(
            f"PREPARE oracle ({types}) AS {sql}; EXECUTE oracle ({', '.join(literal(v) for v in values)})"))

    def answer(self, view, query, public):
        qs = "&".join(f"{k}={v}" for k, v in query.items())
        status, _, doc = self.sys.json("GET", f"/api/v1/stats/{view}" + (f"?{qs}" if qs else ""),
                                       headers=None if public else self.auth["nas"])
        self.assertEqual(status, 200, (view, query, doc))
        doc.pop("as_of")
        return doc

    def test_the_rollup_equals_one_counted_afresh(self):
        for table, counted in (("stat_rollup", "stat_group"), ("stat_rollup_times", "stat_times")):
            with self.subTest(table=table):
                afresh = f"SELECT * FROM {counted}('{{}}', ARRAY(SELECT s FROM stat_reports s), false)"
                differing = self.sys.db.scalar(
                    f"SELECT count(*) FROM ((SELECT * FROM {table} EXCEPT ALL {afresh}) "
                    f" UNION ALL ({afresh} EXCEPT ALL SELECT * FROM {table})) d")
                self.assertEqual(differing, "0", "rows of the rollup that a recount from stat_reports does not give")
                self.assertGreater(int(self.sys.db.scalar(f"SELECT count(*) FROM {table}")), 100)

    def test_every_figure_equals_the_per_report_queries(self):
        withheld = shared = 0
        for view, query in QUERIES:
            for public in (True, False):
                with self.subTest(view=view, query=query, public=public):
                    expected = self.oracle(view, query, public)
                    self.assertEqual(self.answer(view, query, public), expected)
                    text = json.dumps(expected)
                    withheld += text.count('"received": null')
                    shared += text.count('"median": ')
        # the comparison proves something only if the data reach the cases it is about
        self.assertGreater(withheld, 0, "no group withheld in the public view")
        self.assertGreater(shared, 0)

    def test_the_data_hold_interpolated_medians_and_shared_times(self):
        """Medians between two different times (a fraction of a second before rounding), and times
        many reports share (a value counted more than once in a group of the rollup)."""
        self.assertEqual(self.sys.db.scalar(
            "SELECT count(*) FILTER (WHERE m <> round(m)) > 0 FROM (SELECT percentile_cont(0.5) WITHIN GROUP "
            "(ORDER BY extract(epoch FROM verified_at - submitted_at)) m FROM stat_reports GROUP BY institution_code) x"),
            "t")
        self.assertEqual(self.sys.db.scalar("SELECT bool_or(n > 1) FROM stat_rollup_times WHERE measure = 1"), "t")

    def test_stopping_cancels_the_warmers_statement(self):
        """The warmer recomputes the asked summary after the counter moved and waits for a lock on
        the rollup that a session holds: SIGTERM ends aduan-stats at once, gracefully."""
        self.answer("summary", {}, True)
        holder = subprocess.Popen(["psql", self.sys.db.url, "-qAt", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        try:
            holder.stdin.write("BEGIN; LOCK TABLE stat_rollup IN ACCESS EXCLUSIVE MODE; SELECT 'locked';\n")
            holder.stdin.flush()
            self.assertEqual(holder.stdout.readline().strip(), "locked")
            self.sys.db.scalar("UPDATE stats_generation SET n = n + 1 WHERE slot = 0")
            self.sys.wait_for(lambda: self.sys.db.scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND usename = 'aduan_stats' "
                "AND wait_event_type = 'Lock'") == "1",
                10, "the warmer to wait for the rollup")
            started = time.monotonic()
            code = self.sys.stats.stop(timeout=20)
            took = time.monotonic() - started
        finally:
            holder.stdin.write("ROLLBACK;\n")
            holder.stdin.close()
            holder.wait()
            self.sys.stats.start()
        self.assertEqual(code, 0)
        self.assertLess(took, 10.0, "stopping waited for the warmer's statement")   # else 20 s
        print(f"aduan-stats stopped in {took:.2f} s while the warmer's statement waited", flush=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
