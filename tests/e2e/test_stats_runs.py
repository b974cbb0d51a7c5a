"""aduan-stats counts a consumer run's events in one statement (services/stats/stats_facts.c): each
report is written once, as its events one after the other leave it. Whatever the size of the runs,
the facts and the rollup must be the same: a log counted in runs of many events (aduan-stats
stopped while it is written, so a run holds many events of one report), then counted again from
the start in runs of one event (ADUAN_CONSUMER_RUN=1), gives the same stat_reports, stat_rollup
and stat_rollup_times; and the facts are those the per-event statements of stats_facts.c before
the change (ORACLE below) make from the same log, and the rollup is the one counted afresh from
them. A recount (aduan-admin rebuild-stats), which counts the whole log as one batch, gives them
again.

The log is written here, event by event, so that it holds what the services' scripts rarely do
within one run: submission, postponement, verification, dispatch, transfer, follow-up, closing,
reopening and closing again, supports, missed deadlines, a step naming a new category, steps
before the report's submission, a second submission, events that count nothing, and times that
go back (a step stamped before the one before it)."""
import os
import random
import signal
import subprocess
import sys
import unittest

import msgpack

from aduan_harness import System, SystemTestCase

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import load_bench  # noqa: E402  (group_lag: the events a group has not handled)

FACTS_TEXT = "SELECT string_agg(s::text, E'\\n' ORDER BY s.tracking_id) FROM stat_reports s"
ROLLUP_TEXT = ("SELECT string_agg(r.line, E'\\n' ORDER BY r.line) FROM (SELECT g::text AS line FROM stat_rollup g "
               "UNION ALL SELECT t::text FROM stat_rollup_times t) r")
AFRESH_TEXT = ("SELECT string_agg(r.line, E'\\n' ORDER BY r.line) FROM ("
               "SELECT g::text AS line FROM stat_group('{}', ARRAY(SELECT s FROM stat_reports s), false) g "
               "UNION ALL SELECT t::text FROM stat_times('{}', ARRAY(SELECT s FROM stat_reports s), false) t) r")

# The steps a report's life takes: (event type, action, status, public status, holder).
STEPS = [
    ("report.postponed", "postpone", "postponed", "not_yet_verified", None),
    ("report.verified", "verify", "verified", "not_yet_followed_up", None),
    ("report.archived", "archive", "archived", "archived", None),
    ("report.dispatched", "route", "dispatched", "not_yet_followed_up", "KOTA-21.71.PUPR"),
    ("report.transferred", "transfer", "transferred", "not_yet_followed_up", "KOTA-21.71.DINSOS"),
    ("report.followed_up", "follow_up", "in_process", "in_process", None),
    ("report.closed", "close", "closed_by_admin", "completed", None),
    ("report.reopened", "reopen", "in_process", "in_process", None),
]

# The statements stats_facts.c ran per event before runs were counted set-wise, against a copy of
# stat_reports (oracle): the reference the set-wise count must equal.
ORACLE = {
    "submitted": "INSERT INTO oracle (tracking_id, last_seq, submitted_at, classification, category_code, "
                 "region_code, channel, status, public_status) SELECT {tid}, {seq}, "
                 "to_timestamp({at}::bigint / 1000.0), {classification}, {category}, {region}, {channel}, {status}, "
                 "COALESCE((SELECT public_status FROM report_statuses WHERE status = {status}), 'not_yet_verified') "
                 "ON CONFLICT (tracking_id) DO NOTHING",
    "step": "UPDATE oracle SET last_seq = {seq}, status = {status}, public_status = {public_status}, "
            "classification = COALESCE({classification}, classification), "
            "category_code = COALESCE({category}, category_code), "
            "institution_code = COALESCE({institution}, institution_code), "
            "ever_postponed = ever_postponed OR {type} = 'report.postponed', "
            "ever_transferred = ever_transferred OR {type} = 'report.transferred', "
            "verified_at = COALESCE(verified_at, CASE WHEN {action} IN ('verify', 'not_our_authority', 'archive', "
            "'link_duplicate') THEN to_timestamp({at}::bigint / 1000.0) END), "
            "dispatched_at = COALESCE(dispatched_at, CASE WHEN {type} = 'report.dispatched' "
            "THEN to_timestamp({at}::bigint / 1000.0) END), "
            "followed_up_at = COALESCE(followed_up_at, CASE WHEN {type} = 'report.followed_up' "
            "THEN to_timestamp({at}::bigint / 1000.0) END), "
            "completed_at = CASE WHEN {type} = 'report.closed' THEN to_timestamp({at}::bigint / 1000.0) "
            "WHEN {type} = 'report.reopened' THEN NULL ELSE completed_at END "
            "WHERE tracking_id = {tid} AND last_seq < {seq}",
    "supported": "UPDATE oracle SET last_seq = {seq}, supports = {supports}::int "
                 "WHERE tracking_id = {tid} AND last_seq < {seq}",
    "missed": "UPDATE oracle SET last_seq = {seq}, "
              "verification_missed = verification_missed OR {deadline} = 'verification', "
              "follow_up_missed = follow_up_missed OR {deadline} = 'follow_up', "
              "resolution_missed = resolution_missed OR {deadline} = 'resolution' "
              "WHERE tracking_id = {tid} AND last_seq < {seq}",
}


def literal(value):
    return "NULL" if value is None else "'" + str(value).replace("'", "''") + "'"


def step_of(step, rng):
    """(type, holder, payload) of a step, now and then naming a new category or classification."""
    kind, action, status, public_status, holder = step
    payload = {"action": action, "status": status, "public_status": public_status}
    if rng.random() < 0.2:
        payload["category"] = "JALAN.BERLUBANG"
    if rng.random() < 0.1:
        payload["classification"] = "information"
    return kind, holder, payload


def script(reports=60, seed=11):
    """[(type, tracking id, at ms, holder, payload)] in log order: the reports' lives interleaved."""
    rng = random.Random(seed)
    at = 1_790_000_000_000
    lives = []
    for n in range(reports):
        tid = f"RUN{n:04d}"
        submitted = ("report.submitted", None, {"classification": rng.choice(["complaint", "aspiration"]),
                                                "category": rng.choice(["JALAN", "JALAN.BERLUBANG", "SOSIAL.BANSOS"]),
                                                "region": rng.choice(["21.71", "21.72"]),
                                                "channel": rng.choice(["web", "api", "sms"]),
                                                "status": "waiting_verification"})
        life = [] if n % 9 else [step_of(STEPS[1], rng)]   # a step before the submission finds no row
        life.append(submitted)
        for _ in range(rng.randint(0, 9)):
            pick = rng.random()
            if pick < 0.6:
                life.append(step_of(rng.choice(STEPS), rng))
            elif pick < 0.75:
                life.append(("report.supported", None, {"supports": rng.randint(1, 40)}))
            elif pick < 0.85:
                life.append(("report.deadline_missed", None,
                             {"deadline": rng.choice(["verification", "follow_up", "resolution"])}))
            elif pick < 0.92:
                life.append(("report.closing_soon", None, {}))   # counts nothing
            else:
                again = dict(submitted[2], channel="whatsapp")   # a second submission changes nothing
                life.append(("report.submitted", None, again))
        lives.append([(kind, tid, holder, payload) for kind, holder, payload in life])
    log = []
    while any(lives):
        life = rng.choice([life for life in lives if life])
        kind, tid, holder, payload = life.pop(0)
        at += rng.choice([0, 1, 37, 1500, 86_400_000]) if rng.random() < 0.9 else -3_600_000
        log.append((kind, tid, at, holder, payload))
    return log


class StatsRuns(SystemTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("statsruns", with_stats=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.sys.stop()

    def psql(self, sql):
        return load_bench.psql(self.sys.db.url, sql)

    def counted(self):
        self.sys.wait_for(lambda: load_bench.group_lag(self.sys.db.url, "stats") == 0, 60, "stats to count the log")

    def write_log(self, log):
        rows = []
        for i, (kind, tid, at, holder, payload) in enumerate(log):
            rows.append(f"('runs-{i}', {literal(kind)}, 1, to_timestamp({at} / 1000.0), {literal(tid)}, "
                        f"{literal(holder)}, 'system', '\\x{msgpack.packb(payload).hex()}'::bytea)")
        self.psql("INSERT INTO events (event_id, type, schema_version, occurred_at, tracking_id, institution_code, "
                  "actor_role, payload) VALUES " + ", ".join(rows))

    def oracle(self):
        """The facts of the numbered log as the per-event statements made them."""
        events = self.psql("SELECT seq, type, tracking_id, (extract(epoch FROM occurred_at) * 1000)::bigint, "
                           "institution_code, encode(payload, 'hex') FROM events WHERE tracking_id LIKE 'RUN%' "
                           "ORDER BY seq").splitlines()
        statements = ["CREATE TEMP TABLE oracle (LIKE stat_reports INCLUDING ALL)"]
        for line in events:
            seq, kind, tid, at, holder, payload = line.split("\t")
            values = msgpack.unpackb(bytes.fromhex(payload))
            fields = {k: literal(values.get(k)) for k in ("classification", "category", "region", "channel", "status",
                                                         "public_status", "action", "deadline")}
            fields.update(seq=seq, at=at, tid=literal(tid), type=literal(kind), institution=literal(holder or None),
                          supports=literal(values.get("supports", 0)))
            if kind == "report.submitted":
                statements.append(ORACLE["submitted"].format(**fields))
            elif kind == "report.supported":
                statements.append(ORACLE["supported"].format(**fields))
            elif kind == "report.deadline_missed":
                statements.append(ORACLE["missed"].format(**fields))
            elif all(values.get(k) for k in ("status", "public_status", "action")):
                statements.append(ORACLE["step"].format(**fields))
        statements.append("SELECT string_agg(s::text, E'\\n' ORDER BY s.tracking_id) FROM oracle s")
        return subprocess.run(["psql", self.sys.db.url, "-v", "ON_ERROR_STOP=1", "-qAt"], input=";\n".join(statements),
                              check=True, capture_output=True, text=True).stdout.strip()

    def test_runs_of_many_events_count_what_runs_of_one_and_the_per_event_statements_count(self):
        log = script()
        stats = self.sys.stats.proc
        stats.send_signal(signal.SIGSTOP)   # the log waits, unnumbered: then runs of up to 200 events
        try:
            self.write_log(log)
        finally:
            stats.send_signal(signal.SIGCONT)
        self.counted()
        in_runs, rollup_in_runs = self.psql(FACTS_TEXT), self.psql(ROLLUP_TEXT)
        self.assertEqual(len(in_runs.splitlines()), 60)
        self.assertEqual(in_runs, self.oracle())
        self.assertEqual(rollup_in_runs, self.psql(AFRESH_TEXT))

        self.assertEqual(self.sys.stats.stop(), 0)
        self.psql("DELETE FROM stat_reports; SELECT stat_rollup_recount(); "
                  "UPDATE consumer_positions SET seq = 0 WHERE group_name = 'stats'")
        self.assertEqual(self.psql(ROLLUP_TEXT), "")
        self.sys.stats.env["ADUAN_CONSUMER_RUN"] = "1"
        self.sys.stats.start()
        self.counted()
        self.assertEqual(self.psql(FACTS_TEXT).splitlines(), in_runs.splitlines())
        self.assertEqual(self.psql(ROLLUP_TEXT).splitlines(), rollup_in_runs.splitlines())

        # the recount takes the whole log as one batch (up to 1 000 events): one run of all of it
        done = self.sys.rebuild_stats()
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(self.psql(FACTS_TEXT).splitlines(), in_runs.splitlines())
        self.assertEqual(self.psql(ROLLUP_TEXT).splitlines(), rollup_in_runs.splitlines())


if __name__ == "__main__":
    unittest.main()
