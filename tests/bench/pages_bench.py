"""Every page and every API call the pages make, timed over REPORTS reports (default 100 000):
prints figures, asserts nothing (not a timed test; an answer other than 200 is printed as FAILED). Issue 16 asks every page
in under 200 ms and issue 17 the desk's filters in under 300 ms on the local runner with 100k
reports; each line ends with the budget it is held to and "OVER" when its p95 misses it.

A private cluster with every service (gateway, intake, stats, verify, route, notify); one report is
submitted through the API, then public_list_bench's loader copies it REPORTS times (words,
regions, dates, pins, statuses, one in ten confidential, one in thirteen anonymous) and this
script adds what the pages show beside it: holders, assignees, running and overdue clocks,
actions, pre-checks with possible duplicates, and the statistics facts of every report.

Each URL is asked once first ("cold": the services' and the server's plans not yet made, the rows
maybe not in the buffer cache) and then ROUNDS times; p50/p95/max of those, with the 1-minute load
average when the URL started (the machine is shared). Last, GET tracking under wrk
(tests/bench/track.lua, 16 connections, 10 s) over 5 000 of the reports.

    /usr/bin/python3 tests/bench/pages_bench.py [BUILD_DIR] [REPORTS] [ROUNDS]

The console's list and desk filters are timed as the national admin, a city's admin and a unit's
liaison. ADUAN_BENCH_ONLY=words times only the calls whose name holds them (several: comma-separated) (GET tracking under wrk always
runs); with ADUAN_BENCH_KEEP=1 the cluster and its loaded database stay for EXPLAIN after the run; with
ADUAN_BENCH_RESTART_STATS=1 aduan-stats is restarted after the load, so that it has kept no document.
"""
import os
import sys
import time
import urllib.parse

from bench_setup import arguments

BUILD, REPORTS = arguments(100000)
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 15

from aduan_harness import Cluster, System, valid_report  # noqa: E402
from load_bench import wrk  # noqa: E402
from public_list_bench import WORDS  # noqa: E402

PAGE_MS = 200
DESK_MS = 300
DRAIN_S = 20

# Tracking ids that the gateway accepts: "B" then the row number in Crockford base 32, then the
# Luhn mod 32 check symbol (common/core/tracking_id.c), so GET tracking reaches intake.
ALPHABET = "'0123456789ABCDEFGHJKMNPQRSTVWXYZ'"
SYMBOLS = ("(SELECT string_agg(substr(" + ALPHABET + ", v + 1, 1), '' ORDER BY i) AS s, "
           "  ((32 - sum((f * v) / 32 + (f * v) % 32) % 32) % 32)::int AS check_value "
           " FROM (SELECT i, CASE WHEN (10 - i) % 2 = 0 THEN 2 ELSE 1 END AS f, "
           "         CASE WHEN i = 0 THEN 11 ELSE ((n::bigint >> (5 * (10 - i))) & 31)::int END AS v "
           "       FROM generate_series(0, 10) i) d)")

# public_list_bench's loader (words, regions, dates, pins, statuses not tied to the region, one in ten confidential, one in
# thirteen anonymous) in one pass with what the pages also show: categories all over the tree,
# holders, assignees (one in twenty is the bench user's), and tracking ids as above.
LOAD_SQL = """
INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, address, lat, lon,
                     anonymous, confidential, channel, status, reporter_token_hash, submitted_at, updated_at,
                     institution_code, target_institution, assignee)
SELECT substr(id.s, 1, 4) || '-' || substr(id.s, 5, 4) || '-' || substr(id.s, 9, 3)
         || substr(@ALPHABET@, id.check_value + 1, 1),
       t.classification, w[1 + n % 14] || ' ' || w[1 + (n / 14) % 14] || ' nomor ' || n,
       'Keluhan ' || w[1 + (n / 7) % 14] || ' dan ' || w[1 + (n / 3) % 14] || ' di lingkungan ' || n,
       c.codes[1 + (n / 3) % cardinality(c.codes)], (ARRAY['21.71', '21.72', '21.01', '21.02'])[1 + n % 4], t.address,
       1.0 + (n % 1000) / 2000.0, 104.0 + (n / 1000 % 100) / 500.0, n % 13 = 0, n % 10 = 0, t.channel,
       (ARRAY['waiting_verification', 'verified', 'in_process', 'closed_by_admin'])[1 + n / 5 % 4],
       t.reporter_token_hash, now() - (n % 700) * interval '1 day', now(),
       u.codes[1 + n % cardinality(u.codes)], u.codes[1 + n % cardinality(u.codes)],
       CASE WHEN n % 20 = 0 THEN 'bench' END
FROM generate_series(1, @REPORTS@) n CROSS JOIN LATERAL @SYMBOLS@ id,
     (SELECT * FROM reports LIMIT 1) t, (SELECT ARRAY[@WORDS@] AS w) words,
     (SELECT array_agg(code ORDER BY code) AS codes FROM institutions WHERE kind = 'unit') u,
     (SELECT array_agg(code ORDER BY code) AS codes FROM categories WHERE parent_code IS NOT NULL) c
""".replace("@ALPHABET@", ALPHABET).replace("@SYMBOLS@", SYMBOLS)

# The clocks the desk orders by (a few past due), one action each, the pre-checks of the reports
# waiting for verification (one in five with a possible duplicate), and the statistics facts.
ENRICH_SQL = [
    "INSERT INTO report_deadlines (report_id, kind, institution_code, started_at, due_at) "
    "SELECT r.id, CASE WHEN r.status = 'waiting_verification' THEN 'verification' ELSE 'follow_up' END, "
    "  r.institution_code, r.submitted_at, now() + ((r.id % 40) - 5) * interval '1 day' "
    "FROM reports r WHERE r.status IN ('waiting_verification', 'verified', 'in_process') "
    "  AND r.id > (SELECT min(id) FROM reports) ON CONFLICT DO NOTHING",
    "INSERT INTO report_actions (report_id, at, action, actor_role, status_after) "
    "SELECT r.id, r.submitted_at, 'submit', 'reporter', 'waiting_verification' FROM reports r "
    "WHERE r.id > (SELECT min(id) FROM reports)",
    "INSERT INTO report_prechecks (report_id, missing, abuse_words, possible_duplicates, checked_at) "
    "SELECT r.id, '{}', '{}', CASE WHEN r.id % 5 = 0 THEN ARRAY[r.tracking_id] ELSE '{}' END, r.submitted_at "
    "FROM reports r WHERE r.status = 'waiting_verification' AND r.id > (SELECT min(id) FROM reports) ON CONFLICT DO NOTHING",
    "INSERT INTO stat_reports (tracking_id, last_seq, submitted_at, classification, category_code, region_code, "
    "  channel, institution_code, status, public_status, verified_at, dispatched_at, followed_up_at, completed_at) "
    "SELECT r.tracking_id, 1, r.submitted_at, r.classification, r.category_code, r.region_code, r.channel, "
    "  r.institution_code, r.status, s.public_status, "
    "  CASE WHEN r.status <> 'waiting_verification' THEN r.submitted_at + interval '20 hours' END, "
    "  CASE WHEN r.status <> 'waiting_verification' THEN r.submitted_at + interval '21 hours' END, "
    "  CASE WHEN r.status IN ('in_process', 'closed_by_admin') THEN r.submitted_at + interval '3 days' END, "
    "  CASE WHEN r.status = 'closed_by_admin' THEN r.submitted_at + interval '9 days' END "
    "FROM reports r JOIN report_statuses s USING (status) WHERE r.id > (SELECT min(id) FROM reports) "
    "ON CONFLICT DO NOTHING",
    # every report's text where the staff search finds its words, as verify copies it (a build from
    # before migration 0049 searches the reports themselves)
    "DO $$ BEGIN IF to_regclass('report_search') IS NOT NULL THEN "
    "  INSERT INTO report_search (report_id, words) SELECT r.id, r.title || ' ' || r.body FROM reports r "
    "  ON CONFLICT DO NOTHING; END IF; END $$",
    # the rollup of what was just written (a build from before the rollup has none: before/after pairs)
    "DO $$ BEGIN IF to_regproc('stat_rollup_recount') IS NOT NULL THEN PERFORM stat_rollup_recount(); END IF; END $$",
    "VACUUM ANALYZE",
]


def picked(system, where):
    return system.db.scalar(f"SELECT tracking_id FROM reports r WHERE {where} ORDER BY id DESC LIMIT 1")


def public_calls(system, tracking_id, token, unit):
    """(name, path, headers, budget ms) of the citizens' pages and the dashboard."""
    own = {"Authorization": f"Bearer {token}"}
    listed = picked(system, "NOT confidential AND status = 'in_process'")
    return [
        ("page home /", "/", None, PAGE_MS),
        ("page submit /kirim", "/kirim", None, PAGE_MS),
        ("page list /laporan", "/laporan", None, PAGE_MS),
        ("page tracking /lapor/{id}", f"/lapor/{tracking_id}", None, PAGE_MS),
        ("web-config.json", "/web-config.json", None, PAGE_MS),
        ("reference categories", "/api/v1/categories", None, PAGE_MS),
        ("reference regions", "/api/v1/regions", None, PAGE_MS),
        ("reference institutions", "/api/v1/institutions", None, PAGE_MS),
        ("similar, near a pin", "/api/v1/reports?similar=lampu+jalan+padam+di+pasar&lat=1.2&lon=104.05", None,
         PAGE_MS),
        ("similar, anywhere", "/api/v1/reports?similar=sampah+menumpuk+di+sekolah", None, PAGE_MS),
        ("tracking API, with token", f"/api/v1/reports/{tracking_id}", own, PAGE_MS),
        ("tracking API, public report", f"/api/v1/reports/{listed}", None, PAGE_MS),
        ("support count", f"/api/v1/reports/{listed}/support", None, PAGE_MS),
        ("list, first page (map pins)", "/api/v1/reports?limit=20", None, PAGE_MS),
        ("list, category", "/api/v1/reports?limit=20&category=JALAN", None, PAGE_MS),
        ("list, region", "/api/v1/reports?limit=20&region=21.71", None, PAGE_MS),
        ("list, status", "/api/v1/reports?limit=20&status=completed", None, PAGE_MS),
        ("list, category+region+status", "/api/v1/reports?limit=20&category=JALAN&region=21.71&status=in_process",
         None, PAGE_MS),
        ("list, one month", "/api/v1/reports?limit=20&from=2026-01-01&to=2026-01-31", None, PAGE_MS),
        ("list, full text one word", "/api/v1/reports?limit=20&q=banjir", None, PAGE_MS),
        ("list, full text two words", "/api/v1/reports?limit=20&q=banjir+pasar", None, PAGE_MS),
        ("list, full text rare", "/api/v1/reports?limit=20&q=nomor+4242", None, PAGE_MS),
        ("list, page 100 (offset 2000)", "/api/v1/reports?limit=20&offset=2000", None, PAGE_MS),
        ("list, page 500 (offset 10000, the deepest)", "/api/v1/reports?limit=20&offset=10000", None, PAGE_MS),
        ("list, text, page 50", "/api/v1/reports?limit=20&q=banjir&offset=1000", None, PAGE_MS),
        ("page dashboard /dasbor", "/dasbor", None, PAGE_MS),
        ("stats summary", "/api/v1/stats/summary", None, PAGE_MS),
        ("stats summary by region", "/api/v1/stats/summary?group_by=region", None, PAGE_MS),
        ("stats summary by unit", "/api/v1/stats/summary?group_by=institution&level=unit", None, PAGE_MS),
        ("stats rankings of units", "/api/v1/stats/rankings?level=unit", None, PAGE_MS),
        ("stats summary by category", "/api/v1/stats/summary?group_by=category", None, PAGE_MS),
        ("stats summary by channel", "/api/v1/stats/summary?group_by=channel", None, PAGE_MS),
        ("stats summary by period", "/api/v1/stats/summary?group_by=period&period=month", None, PAGE_MS),
        ("stats rankings of units by speed", "/api/v1/stats/rankings?level=unit&order=speed", None, PAGE_MS),
        ("stats ikm of units", "/api/v1/stats/ikm?level=unit", None, PAGE_MS),
        ("stats series by month", "/api/v1/stats/series?period=month", None, PAGE_MS),
        ("stats export summary CSV", "/api/v1/stats/export/summary?group_by=region&format=csv", None, PAGE_MS),
        ("stats export summary JSON", "/api/v1/stats/export/summary?group_by=region&format=json", None, PAGE_MS),
        ("page institution /dasbor/instansi/{code}", f"/dasbor/instansi/{unit}", None, PAGE_MS),
        ("stats institution trend (series)", f"/api/v1/stats/series?institution={unit}&period=month", None, PAGE_MS),
        ("stats institution ikm", f"/api/v1/stats/ikm?institution={unit}", None, PAGE_MS),
    ]


def cursor_calls(system):
    """The deep pages again, reached by the list's `next` cursor instead of an offset: the cursor is
    read from the page before, as the list page does (none when the answer carries no cursor)."""
    calls = []
    for name, before in (("list, page 501 by cursor", "offset=9980"),
                         ("list, text, page 51 by cursor", "q=banjir&offset=980")):
        status, _, doc = system.json("GET", f"/api/v1/reports?limit=20&{before}")
        if status == 200 and doc.get("next"):
            query = before.split("offset=")[0]
            calls.append((name, f"/api/v1/reports?limit=20&{query}after={urllib.parse.quote(doc['next'])}", None,
                          PAGE_MS))
    return calls


def staff_cursor_calls(system, auth):
    """Page 10 of the desk and of the console's list again, by the `next` cursor of page 9 (none
    when the build's answers carry no cursor)."""
    calls = []
    for view in ("staff/reports", "desk"):
        status, _, doc = system.json("GET", f"/api/v1/{view}?limit=100&offset=800", headers=auth)
        if status == 200 and doc.get("next"):
            calls.append((f"{view}: page 10 by cursor",
                          f"/api/v1/{view}?limit=100&after={urllib.parse.quote(doc['next'])}", auth, DESK_MS))
    return calls


DESK_FILTERS = [
    ("no filter (due order)", ""),
    ("category", "category=JALAN"),
    ("region", "region=21.71"),
    ("status bucket", "status=not_yet_verified"),
    ("age >= 30 days", "older_than_days=30"),
    ("overdue", "overdue=true"),
    ("duplicates", "duplicates=true"),
    ("q words", "q=banjir"),
    ("q tracking id", "q=@TRACKING@"),
    ("mine", "mine=true"),
    ("sort newest", "sort=newest"),
    ("sort oldest", "sort=oldest"),
    ("sort updated", "sort=updated"),
    ("category+region+overdue", "category=JALAN&region=21.71&overdue=true"),
    ("page 10 (offset 900)", "offset=900"),
]


def staff_calls(system, auth, tracking_id):
    loaded = picked(system, "status = 'waiting_verification'")
    calls = [("page desk /konsol/meja", "/konsol/meja", None, PAGE_MS),
             ("page inbox /konsol/kotak-masuk", "/konsol/kotak-masuk", None, PAGE_MS),
             ("page report /konsol/laporan/{id}", f"/konsol/laporan/{tracking_id}", None, PAGE_MS),
             ("session", "/api/v1/sessions/current", auth, PAGE_MS),
             ("reason codes", "/api/v1/reason-codes", auth, PAGE_MS),
             ("staff report", f"/api/v1/staff/reports/{tracking_id}", auth, PAGE_MS),
             ("staff report, loaded", f"/api/v1/staff/reports/{loaded}", auth, PAGE_MS),
             ("inbox", "/api/v1/inbox?limit=100", auth, PAGE_MS),
             ("inbox unread count", "/api/v1/inbox?unread=true&limit=1", auth, PAGE_MS)]
    return calls + filter_calls(auth, "", loaded)


def filter_calls(auth, viewer, tracking_id, views=("staff/reports", "desk")):
    """Every filter of the views (the console's list and the desk), as the viewer (named in the line
    when not the national admin)."""
    calls = []
    for view in views:
        for name, query in DESK_FILTERS:
            query = query.replace("@TRACKING@", tracking_id)
            calls.append((f"{view}{viewer}: {name}", f"/api/v1/{view}?limit=100" + ("&" + query if query else ""),
                          auth, DESK_MS))
    return calls


# Narrower scopes than the national admin's: a city's admin (its six units, a third of the reports),
# one unit's admin and its liaison (an eighteenth each), whose scope the statements test on every
# index entry. The desk is for admins only: the liaison has the list.
VIEWERS = [("city admin", "institution_admin", "KOTA-21.71", ("staff/reports", "desk")),
           ("unit admin", "institution_admin", "KOTA-21.71.PUPR", ("staff/reports", "desk")),
           ("unit liaison", "unit_liaison", "KOTA-21.71.PUPR", ("staff/reports",))]


def scoped_calls(system):
    calls = []
    for viewer, role, institution, views in VIEWERS:
        username = "bench-" + viewer.replace(" ", "-")
        system.create_staff(username, role, institution)
        loaded = picked(system, f"status = 'waiting_verification' AND institution_code LIKE '{institution}%'")
        calls += filter_calls(system.login(username), f" ({viewer})", loaded, views)
    return calls


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def time_call(system, name, path, headers, budget):
    load = os.getloadavg()[0]
    samples = []
    for _ in range(ROUNDS + 1):
        started = time.monotonic()
        status, _, body = system.request("GET", path, headers=headers)
        samples.append((time.monotonic() - started) * 1000)
        if status != 200:
            print(f"{name:<44} FAILED after {samples[-1]:.1f} ms: GET {path} answered {status}: {body[:160]!r}",
                  flush=True)
            # A command that timed out was resent and still runs: let the service finish it, or
            # every later call waits behind it and fails too.
            time.sleep(DRAIN_S)
            return False
    cold, warm = samples[0], samples[1:]
    p95 = percentile(warm, 0.95)
    verdict = "OVER" if max(cold, p95) > budget else "ok"
    print(f"{name:<44} cold {cold:7.1f}  p50 {percentile(warm, 0.5):7.1f}  p95 {p95:7.1f}  "
          f"max {max(warm):7.1f} ms  load {load:4.2f}  {len(body):>7} B  <{budget} {verdict}", flush=True)
    return verdict == "ok"


def load_reports(system):
    words = ", ".join(f"'{w}'" for w in WORDS)
    started = time.monotonic()
    system.db.scalar(LOAD_SQL.replace("@REPORTS@", str(REPORTS)).replace("@WORDS@", words))
    for sql in ENRICH_SQL:
        system.db.scalar(sql)
    print(f"{REPORTS} reports loaded in {time.monotonic() - started:.1f} s", flush=True)


def track_rate(system, seconds=10):
    """GET tracking under wrk (tests/bench/track.lua, 16 connections) over 5 000 reports at random."""
    ids = os.path.join(system.workdir, "tracking-ids")
    with open(ids, "w") as f:
        f.write(system.db.scalar("SELECT tracking_id FROM reports ORDER BY random() LIMIT 5000") + "\n")
    load = os.getloadavg()[0]
    run = wrk(system.http_port, os.path.join(os.path.dirname(os.path.abspath(__file__)), "track.lua"), 16, seconds,
              [ids])
    print(f"GET tracking, wrk 16 connections {seconds} s: {run['ok_per_s']:.0f} ok/s, p50 {run['p50_us'] / 1000:.2f} ms, "
          f"p99 {run['p99_us'] / 1000:.2f} ms, non-2xx {run['non2xx']}, load {load:.2f}", flush=True)


def main():
    cluster = Cluster("pages-bench")
    system = System("pages-bench", cluster_url=cluster.url, lifecycle=True, notify=True)
    # the shipped default, not the tests' 0 (the harness's, for tests that read their own changes)
    system.stats.env["ADUAN_STATS_MAX_AGE"] = os.environ.get("ADUAN_STATS_MAX_AGE", "60")
    try:
        system.start()
        system.create_staff("bench", "national_admin", "NASIONAL")
        auth = system.login("bench")
        status, _, doc = system.json("POST", "/api/v1/reports", valid_report())
        assert status == 201, doc
        load_reports(system)
        unit = system.db.scalar("SELECT min(code) FROM institutions WHERE kind = 'unit'")
        calls = public_calls(system, doc["tracking_id"], doc["reporter_token"], urllib.parse.quote(unit))
        calls += staff_calls(system, auth, doc["tracking_id"])
        print(f"{ROUNDS} warm rounds per URL after one cold; times in ms, through HTTP on loopback")
        calls += cursor_calls(system)
        calls += staff_cursor_calls(system, auth)
        calls += scoped_calls(system)
        if os.environ.get("ADUAN_BENCH_RESTART_STATS"):
            # nothing kept: every statistics call below is the first of its query
            system.stats.stop()
            system.stats.start()
        only = os.environ.get("ADUAN_BENCH_ONLY", "").split(",")
        calls = [call for call in calls if any(word in call[0] for word in only)]
        over = [name for name, path, headers, budget in calls if not time_call(system, name, path, headers, budget)]
        print(f"{len(calls) - len(over)} of {len(calls)} within budget; over: {', '.join(over) or 'none'}")
        track_rate(system)
    finally:
        keep = os.environ.get("ADUAN_BENCH_KEEP")
        if keep:
            system.db.drop = lambda: None
        system.stop()
        if keep:
            print(f"cluster kept for EXPLAIN: psql '{system.db.url}'; remove with "
                  f"tests/harness/pg_cluster.sh destroy {cluster.dir}")
        else:
            cluster.destroy()


if __name__ == "__main__":
    main()
