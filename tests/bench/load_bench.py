"""The load benchmark of issue 11, in one run (tests/bench/run.sh builds and calls it):

  1. a private PostgreSQL cluster with fsync ON; pgbench baselines in it: single-row insert of a
     complaint-sized row at 1 and 16 clients, select by primary key at 16 clients;
  2. every service (gateway, intake, stats, verify, route, notify with a local counting SMTP server), logging
     warnings only; RSS of each, idle;
  3. submissions through HTTP (wrk, tests/bench/submit.lua) at 16 and 256 connections, then at 256
     with verify, route and notify stopped (gateway + intake + stats alone): accepted/s, p50, p99,
     p99.9, RSS under load; how far each consumer group is behind when the load stops and how long
     it takes to catch up; the 16-client insert baseline again just before and just after the
     gateway + intake + stats run, since this machine's own rate drifts in minutes;
  4. an open-loop load (tests/bench/open_loop.py: a fixed arrival rate, latency from each request's
     due time) at half the highest accepted rate of step 3 with every service: p50, p99, p99.9;
  5. the sustained rate: open-loop steps of STEP seconds (reporters without contact details, every
     service), searched up and down from that half rate, and the highest at which neither intake
     (its last answer) nor any consumer group's lag fell more than 3 s of the offered rate behind
     over the step;
  6. GET tracking (wrk, tests/bench/track.lua) at 16 connections, once while the groups still
     handle the events of step 5's last load, once after every group has caught up; with the
     gateway's kept views hit and missed, and each service's CPU time meanwhile;
  7. a backlog of BACKLOG reports with a report.submitted and a report.verified event each,
     written while every consumer is stopped (SIGSTOP), then drained by the four groups at once:
     events/s per group; then a second such backlog drained by one group at a time (stats, whose
     hub numbers the log, then verify, route, notify; drain_bench.py's order), each with the
     cores to itself;
  8. RSS of each service idle again;
  9. where the cores went in the phases a target is about (step 3's gateway + intake + stats, step
     4's open loop, step 7's drains one group at a time): the CPU of each service, of PostgreSQL's
     backends for it and of its own processes, a unit and as cores busy, beside the CPU a unit the
     target's rate leaves on this machine's cores (tests/bench/cpu_profile.py).

Every figure is printed with its ratio to the pgbench baseline of the same run (rates to the
16-client insert or select, latencies to that run's average latency).

    /usr/bin/python3 tests/bench/load_bench.py BUILD_DIR [--seconds S] [--backlog N] [--open-seconds S]
        [--step-seconds S] [--steps N]
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import cpu_profile
import open_loop

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
PG_CLUSTER = os.path.join(TOP, "tests", "harness", "pg_cluster.sh")
GROUPS = {"verify": ("report.submitted",), "route": ("report.verified",),
          "notify": ("report.",), "stats": ("report.",)}
SERVICE_OF_GROUP = {"verify": "verify", "route": "route", "notify": "notify", "stats": "stats"}


def psql(url, sql, stdin=None):
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAt", "-F", "\t", "-c", sql], input=stdin,
                          check=True, capture_output=True, text=True).stdout.strip()


def with_pg_stat_statements(folder, url, track):
    """Restarts the cluster in `folder` with pg_stat_statements loaded (track: top or all) and
    creates the extension, for benches that count statements per event or per request."""
    conf = os.path.join(os.path.realpath(folder), "data", "postgresql.conf")
    with open(conf, "a") as f:
        f.write(f"shared_preload_libraries = 'pg_stat_statements'\npg_stat_statements.track = {track}\n"
                "pg_stat_statements.track_planning = on\n")
    subprocess.run([PG_CLUSTER, "restart", folder], check=True, capture_output=True)
    psql(url, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")


def with_auto_explain(folder, min_ms, sample_rate=1.0):
    """Has every session of the cluster in `folder` that starts from now on log the plan of each
    statement over `min_ms` (analyzed, nested statements too; a share `sample_rate` of them) to
    the server's log (`postgres.log` in `folder`). Takes effect with the next restart or reload
    (with_pg_stat_statements restarts)."""
    with open(os.path.join(os.path.realpath(folder), "data", "postgresql.conf"), "a") as f:
        f.write(f"session_preload_libraries = 'auto_explain'\nauto_explain.log_min_duration = {min_ms}\n"
                f"auto_explain.sample_rate = {sample_rate}\n"
                "auto_explain.log_analyze = on\nauto_explain.log_nested_statements = on\n")


def server_log(folder):
    """The path of the server's log of the cluster in `folder`."""
    return os.path.join(os.path.realpath(folder), "postgres.log")


def pgbench(url, script, clients, seconds):
    """tps and average latency (ms) of a pgbench run of `script` (text)."""
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(["pgbench", "-n", "-f", f.name, "-c", str(clients), "-j", str(min(clients, 2)),
                              "-T", str(seconds), url], check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(f.name)
    tps = float(re.search(r"tps = ([0-9.]+)", out).group(1))
    latency = float(re.search(r"latency average = ([0-9.]+) ms", out).group(1))
    return tps, latency


BODY = ("Lubang besar di jalan depan pasar sudah dua minggu, membahayakan pengendara motor terutama malam "
        "hari karena lampu jalan juga mati. Sudah dua orang jatuh. Mohon segera ditambal dan lampunya "
        "diperbaiki sebelum musim hujan. ") * 2


BENCH_INSERT = ("INSERT INTO bench_rows (tracking_id, title, body, category_code, region_code, reporter_email, "
                "status) VALUES (md5(random()::text), 'Jalan berlubang di depan pasar', '" + BODY + "', "
                "'JALAN.BERLUBANG', '21.71', 'siti@example.org', 'waiting_verification');\n")


def create_bench_rows(url):
    psql(url, "CREATE TABLE bench_rows (id bigserial PRIMARY KEY, tracking_id text NOT NULL, title text NOT NULL, "
              "body text NOT NULL, category_code text NOT NULL, region_code text NOT NULL, reporter_email text, "
              "status text NOT NULL, submitted_at timestamptz NOT NULL DEFAULT now())")


def drop_bench_rows(url):
    # Dropped once measured: left in place, autovacuum vacuums and analyzes it during a later phase
    # (seen in an open loop at stop 40: 0.29 s of CPU), work on the shared cores no deployment has.
    psql(url, "DROP TABLE bench_rows")


def baselines(url, seconds):
    create_bench_rows(url)
    b = {}
    b["insert1"] = pgbench(url, BENCH_INSERT, 1, seconds)
    b["insert16"] = pgbench(url, BENCH_INSERT, 16, seconds)
    rows = psql(url, "SELECT max(id) FROM bench_rows")
    b["select16"] = pgbench(url, f"\\set id random(1, {rows})\nSELECT * FROM bench_rows WHERE id = :id;\n",
                            16, seconds)
    drop_bench_rows(url)
    return b


def insert16_again(url, seconds):
    """The 16-client insert baseline once more, for a phase minutes after the first one: this
    machine's moved by half within ten minutes (5 141, 7 703 and 6 012 tps, stop 66). Taken in the
    cluster as the earlier phases left it, so with the autovacuum workers they set going (counted
    at its start): (tps, ms, workers)."""
    workers = int(psql(url, "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"))
    create_bench_rows(url)
    tps, ms = pgbench(url, BENCH_INSERT, 16, seconds)
    drop_bench_rows(url)
    return tps, ms, workers


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class RssSampler:
    """Largest RSS of each service while a phase runs."""

    def __init__(self, services):
        self.services, self.peak, self._stop = services, {n: 0 for n in services}, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            for name, svc in self.services.items():
                self.peak[name] = max(self.peak[name], rss_kb(svc.proc.pid))
            self._stop.wait(0.25)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def tracking_cache_counts(gateway):
    """aduan_tracking_cache_total by outcome ({"hit": n, "miss": n}), from the gateway's /metrics."""
    _, text = gateway.admin_get("/metrics")
    return {outcome: int(n) for outcome, n in
            re.findall(r'^aduan_tracking_cache_total\{outcome="(\w+)"\} (\d+)', text, re.M)}


def heap_figures(svc):
    """malloc's bytes in use and free (the service's /metrics), in MB."""
    try:
        _, text = svc.admin_get("/metrics")
    except OSError:
        return "heap not read"
    found = dict(re.findall(r"^aduan_heap_(in_use|free)_bytes (\S+)$", text, re.M))
    if len(found) < 2:
        return "heap not published"
    return f"heap in use {float(found['in_use']) / 2**20:.1f} MB, free {float(found['free']) / 2**20:.1f} MB"


def memory_detail(svc):
    """Anonymous memory, its largest mappings, the thread count and malloc's figures: where an RSS
    comes from."""
    pid = svc.proc.pid
    maps = []
    try:
        with open(f"/proc/{pid}/smaps") as f:
            name = None
            for line in f:
                fields = line.split()
                if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                    name = fields[5] if len(fields) > 5 else "[anon]"
                elif fields[0] == "Rss:" and int(fields[1]) >= 1024:
                    maps.append((int(fields[1]), name))
        threads = len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return "gone"
    maps.sort(reverse=True)
    return (f"{threads} threads; {heap_figures(svc)}; largest mappings "
            + ", ".join(f"{n} {r // 1024} MB" for r, n in maps[:4]))


def wrk(port, script, connections, seconds, args):
    threads = min(2, connections)
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
                          "-s", script, f"http://127.0.0.1:{port}", "--", *args],
                         check=True, capture_output=True, text=True).stdout
    doc = json.loads(out[out.index("WRK ") + 4:].splitlines()[0])
    seconds_run = doc["duration_us"] / 1e6
    doc["ok_per_s"] = (doc["requests"] - doc["non2xx"]) / seconds_run
    doc["refused"] = doc["non2xx"]
    return doc


def fnv1a(text):
    h = 2166136261
    for byte in text.encode():
        h = ((h ^ byte) * 16777619) & 0xFFFFFFFF
    return h


def topic_filter(group):
    return "(" + " OR ".join(f"type LIKE '{p}%'" for p in GROUPS[group]) + ")"


def positions(url, group):
    return dict((int(p), int(s)) for p, s in (line.split("\t") for line in psql(
        url, f"SELECT partition, seq FROM consumer_positions WHERE group_name = '{group}'").splitlines() if line))


def unsequenced(url, group):
    return int(psql(url, f"SELECT count(*) FROM events WHERE seq IS NULL AND {topic_filter(group)}"))


def targets(url, group):
    """The last seq of the group's topics in each of its partitions (the consumer's FNV-1a of the
    tracking id, common/bus/event_consumer.c)."""
    done = positions(url, group)
    last = {}
    rows = psql(url, f"SELECT seq, tracking_id FROM events WHERE seq > {min(done.values(), default=0)} "
                     f"AND {topic_filter(group)}")
    for line in rows.splitlines():
        seq, tracking = line.split("\t")
        partition = fnv1a(tracking) % max(len(done), 1) if tracking else 0
        last[partition] = max(last.get(partition, 0), int(seq))
    return last


def wal_written(url):
    """The cluster's WAL so far: records, full-page images, bytes, flushes to disk, and checkpoints
    begun. Cluster-wide: whatever runs beside the measured load adds its own."""
    return [int(v) for v in psql(url, "SELECT wal_records, wal_fpi, wal_bytes, wal_sync, "
                                      "(SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter) "
                                      "FROM pg_stat_wal").split()]


def group_lag(url, group):
    """How many of the group's events its members have not handled (sequenced or not). The
    unnumbered ones are counted first: the hub numbers events between these reads, and an event
    it numbers after the numbered ones were read but before the unnumbered were counted would be
    in neither count (e2e_stats_runs read the facts while 22 events were still to be handled).
    This order may count such an event twice, never not at all."""
    waiting = unsequenced(url, group)
    done = positions(url, group)
    rows = psql(url, f"SELECT seq, tracking_id FROM events WHERE seq > {min(done.values(), default=0)} "
                     f"AND {topic_filter(group)}")
    count = 0
    for line in rows.splitlines():
        seq, tracking = line.split("\t")
        partition = fnv1a(tracking) % max(len(done), 1) if tracking else 0
        count += int(seq) > done.get(partition, 0)
    return count + waiting


def settle(url, groups, limit_s):
    """Seconds until no group has an event left to handle, the events the groups make while they
    catch up included (verify's and route's handling writes events that notify and stats then
    read); None when not within limit_s."""
    start = time.monotonic()
    while time.monotonic() - start < limit_s:
        if not any(group_lag(url, g) for g in groups):
            return time.monotonic() - start
        catch_up(url, groups, limit_s - (time.monotonic() - start))
    return None


def tracking_run(system, services, db_url, seconds, ids_file):
    """GET tracking at 16 connections, with what else was going on: each group's lag at the start,
    the gateway's kept views hit and missed, and the CPU seconds of every service meanwhile."""
    lag = {g: group_lag(db_url, g) for g in GROUPS}
    views, cpu = tracking_cache_counts(system.gateway), {n: cpu_profile.cpu_seconds(s.proc.pid) for n, s in services.items()}
    load = os.getloadavg()
    run = wrk(system.http_port, os.path.join(HERE, "track.lua"), 16, seconds, [ids_file])
    after = tracking_cache_counts(system.gateway)
    run["views"] = {k: after.get(k, 0) - views.get(k, 0) for k in ("hit", "miss")}
    run["cpu_s"] = {n: round(cpu_profile.cpu_seconds(s.proc.pid) - cpu[n], 1) for n, s in services.items()}
    run["lag_at_start"], run["load"] = lag, (load, os.getloadavg())
    return run


def tracking_text(run):
    views = run["views"]
    share = 100 * views["hit"] / max(views["hit"] + views["miss"], 1)
    return (f"kept views hit {views['hit']} / miss {views['miss']} ({share:.1f} % hits); groups behind at the start "
            f"{run['lag_at_start']}; CPU s meanwhile {run['cpu_s']}; load {run['load'][0][0]:.1f} -> {run['load'][1][0]:.1f}")


def catch_up(url, groups, limit_s):
    """Seconds until each group has handled every event written so far (None when not within
    limit_s). Waits for the hub to number them, then polls the groups' positions only."""
    start, done = time.monotonic(), {}
    while any(unsequenced(url, g) for g in groups) and time.monotonic() - start < limit_s:
        time.sleep(0.5)
    goal = {g: targets(url, g) for g in groups}
    while len(done) < len(groups) and time.monotonic() - start < limit_s:
        for g in groups:
            if g not in done and all(seq <= positions(url, g).get(p, 0) for p, seq in goal[g].items()):
                done[g] = time.monotonic() - start
        time.sleep(0.5)
    return {g: done.get(g) for g in groups}


BACKLOG_REPORTS = (
    "INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, anonymous, "
    "  confidential, reporter_email, channel, status, reporter_token_hash) "
    "SELECT regexp_replace(lpad(upper(to_hex(1000000000 + {first} + i)), 12, '0'), '^(.{{4}})(.{{4}})(.{{4}})$', '\\1-\\2-\\3'), "
    "  'complaint', 'Antrean puskesmas ' || i, 'Antrean di puskesmas sangat lama, nomor ' || i || ' menunggu tiga jam.', "
    "  '{category}', '{region}', false, false, CASE WHEN i % 2 = 0 THEN 'b' || i || '@example.org' END, 'web', "
    "  'verified', md5(i::text) || md5((-i)::text) FROM generate_series(1, {n}) i")


# Each backlog report gets the two events its life starts with, payloads taken from real ones. The
# two templates are a materialised CTE: as a subquery beside reports whose statistics did not yet
# count the rows just added, the statement once ran for an hour, reading a spilled temporary file
# again and again.
BACKLOG_EVENTS = (
    "WITH e AS MATERIALIZED (SELECT DISTINCT ON (type) type, schema_version, actor_role, payload FROM events "
    "  WHERE type IN ('report.submitted', 'report.verified') ORDER BY type, id) "
    "INSERT INTO events (event_id, type, schema_version, report_id, tracking_id, actor_role, payload) "
    "SELECT md5(e.type || r.id), e.type, e.schema_version, r.id, r.tracking_id, e.actor_role, e.payload "
    "FROM reports r CROSS JOIN e "
    "WHERE r.status = 'verified' AND r.title LIKE 'Antrean puskesmas %' AND r.id > {after} ORDER BY r.id, e.type")


def write_backlog(db_url, n, category, region):
    """BACKLOG_REPORTS and their events, after any backlog written before (new tracking ids, events
    for the new reports only). Returns each group's events in it and the seconds it took."""
    made = time.monotonic()
    after = int(psql(db_url, "SELECT coalesce(max(id), 0) FROM reports"))
    written = int(psql(db_url, "SELECT count(*) FROM reports WHERE title LIKE 'Antrean puskesmas %'"))
    psql(db_url, BACKLOG_REPORTS.format(n=n, first=written, category=category, region=region))
    psql(db_url, "ANALYZE reports")   # the events' insert is planned with the new reports counted
    psql(db_url, BACKLOG_EVENTS.format(after=after))
    per_group = {g: int(psql(db_url, "SELECT count(*) FROM events WHERE seq IS NULL AND (" +
                             " OR ".join(f"type LIKE '{p}%'" for p in GROUPS[g]) + ")")) for g in GROUPS}
    return per_group, time.monotonic() - made


# The order in which groups drain one at a time: stats first, since its hub numbers the log for
# the others (drain_bench.py drains in the same order).
DRAIN_ORDER = ("stats", "verify", "route", "notify")


def drain_each(system, db_url, n, category, region, limit_s, sample):
    """A second backlog of n reports, written while every consumer is stopped, then drained by one
    group at a time (the others still stopped, the earlier ones running): the rate of each group
    with the cores to itself, where the backlog above measures the four sharing them. Returns
    {group: (events, seconds or None, events left)} and {group: (cpu_profile samples before and
    after its turn)}; sample() takes one."""
    services = {"stats": system.stats, "verify": system.verify, "route": system.route, "notify": system.notify}
    settle(db_url, list(GROUPS), limit_s)   # what the first backlog left is not this one's
    for svc in services.values():
        svc.proc.send_signal(signal.SIGSTOP)
    per_group, made = write_backlog(db_url, n, category, region)
    print(f"second backlog of {n} reports ({per_group}) written in {made:.1f} s", flush=True)
    out, cpu = {}, {}
    for g in DRAIN_ORDER:
        before = sample()
        services[g].proc.send_signal(signal.SIGCONT)
        secs = catch_up(db_url, [g], limit_s)[g]
        cpu[g] = (before, sample())
        out[g] = (per_group[g], secs, group_lag(db_url, g) if secs is None else 0)
        print(f"{g} alone: {out[g]}", flush=True)
    return out, cpu


LAG_GROWTH_S = 3


def lag_slope(samples):
    """Events per second by which a group's lag grew: least-squares slope of (seconds, lag)."""
    n = len(samples)
    mt, ml = sum(t for t, _ in samples) / n, sum(v for _, v in samples) / n
    var = sum((t - mt) ** 2 for t, _ in samples)
    return sum((t - mt) * (v - ml) for t, v in samples) / var if var else 0.0


def sustained_step(system, db_url, rate, seconds, regions, categories):
    """One open-loop step without contact details; every group's lag sampled every 5 s. Holds when
    every submission got its 201, the last of them within LAG_GROWTH_S seconds of the step's end
    (intake kept pace: at 552/s one step's 201s came up to 23 s late and all arrived), and no group's
    lag grew by more than LAG_GROWTH_S seconds of the rate (a group that handles 95 % of the
    arrivals grows by 3 s of them in 60 s)."""
    samples, stop = {g: [] for g in GROUPS}, threading.Event()

    def sample():
        start = time.monotonic()
        while True:
            for g in GROUPS:
                samples[g].append((time.monotonic() - start, group_lag(db_url, g)))
            if stop.wait(5):
                break

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    run = open_loop.run(system.http_port, rate, seconds, regions, categories, contact=False)
    stop.set()
    sampler.join()
    growth = {g: lag_slope(s) * seconds for g, s in samples.items()}
    behind = [g for g, grew in growth.items() if grew > LAG_GROWTH_S * rate]
    late_s = run["elapsed_s"] - seconds
    held = not behind and run["ok"] == run["sent"] and late_s <= LAG_GROWTH_S
    print(f"sustained step {rate:.0f}/s: {'held' if held else 'not held'}; accepted {run['ok']} of {run['sent']} "
          f"(refused {run['refused']}, time-outs {run['timeout']}, errors {run['errors']}), "
          f"p99 {run['p99_ms']:.1f} ms, last answer {late_s:.1f} s after the step; lag growth over the step {({g: round(v) for g, v in growth.items()})}; "
          f"lag at the end {({g: s[-1][1] for g, s in samples.items()})}", flush=True)
    return held, run, growth


def sustained_rate(system, db_url, start, steps, seconds, regions, categories, limit):
    """Searches the highest rate that holds (sustained_step): up by half while steps hold, down by
    half while none has, then halving the interval; at most `steps` steps. Returns the highest
    held (None when none did), the lowest not held, and every step."""
    held_at, failed_at, tried, rate = None, None, [], start
    for _ in range(steps):
        catch_up(db_url, list(GROUPS), limit)
        held, run, growth = sustained_step(system, db_url, rate, seconds, regions, categories)
        tried.append((rate, held, run, growth))
        if held:
            held_at = rate
        else:
            failed_at = rate
        if failed_at is None:
            rate = held_at * 1.5
        elif held_at is None:
            rate = failed_at / 2
        else:
            rate = (held_at + failed_at) / 2
    catch_up(db_url, list(GROUPS), limit)
    return held_at, failed_at, tried


# The drain rates issue 11 asks of each group (verify has none).
DRAIN_TARGETS = {"stats": 5000, "route": 5000, "notify": 2000}


def print_profiles(cpu, gis, open_half, alone, insert16):
    """Where the cores went in the phases issue 11's targets are about (cpu_profile), the rate each
    target asks beside the CPU a unit it leaves."""
    print()
    print("## Where the cores went (user + system CPU, /proc; tests/bench/cpu_profile.py)")
    phases = [("POST reports, 256 conn., gateway+intake+stats", cpu["http256_gis"],
               gis["requests"] - gis["non2xx"], "submission", 0.5 * insert16),
              (f"POST reports, open loop at half the maximum ({open_half['rate']:.0f}/s offered), all services",
               cpu["open_half"], open_half["ok"], "submission", None)]
    for g in DRAIN_ORDER:
        events, _, left = alone[g]
        phases.append((f"{g}: backlog drain, one group at a time", cpu["alone"][g], events - left, "event",
                       DRAIN_TARGETS.get(g)))
    for label, (before, after), units, unit, target in phases:
        print()
        print("\n".join(cpu_profile.table(label, before, after, units, unit, target)))


def ratio(value, base):
    return f"{value / base:.3f}x" if base and value is not None else "-"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--seconds", type=int, default=20, help="length of each HTTP phase")
    ap.add_argument("--pgbench-seconds", type=int, default=10)
    ap.add_argument("--backlog", type=int, default=100000,
                    help="reports in the backlog: as many events for verify and route, twice as many for notify and stats")
    ap.add_argument("--drain-limit", type=int, default=240, help="seconds a group may take to drain")
    ap.add_argument("--open-seconds", type=int, default=30, help="length of the open-loop run at half the maximum")
    ap.add_argument("--step-seconds", type=int, default=60, help="length of each step of the sustained-rate search")
    ap.add_argument("--steps", type=int, default=6, help="steps of the sustained-rate search")
    a = ap.parse_args()
    os.environ["ADUAN_BIN_DIR"] = os.path.join(os.path.abspath(a.build), "bin")
    sys.path.insert(0, os.path.join(TOP, "tests", "harness"))
    import aduan_harness as harness

    folder = tempfile.mkdtemp(prefix="aduan-pg-bench-", dir="/tmp")
    url = subprocess.run([PG_CLUSTER, "start", folder], check=True, capture_output=True, text=True).stdout.strip()
    system = None
    t0 = time.monotonic()
    try:
        print(f"cluster {folder}: fsync={psql(url, 'SHOW fsync')}, synchronous_commit={psql(url, 'SHOW synchronous_commit')}",
              flush=True)
        base = baselines(url, a.pgbench_seconds)
        ins1, ins16, sel16 = base["insert1"], base["insert16"], base["select16"]
        print(f"pgbench insert 1 client {ins1[0]:.0f} tps ({ins1[1]:.2f} ms), 16 clients {ins16[0]:.0f} tps "
              f"({ins16[1]:.2f} ms); select by key 16 clients {sel16[0]:.0f} tps ({sel16[1]:.2f} ms)", flush=True)

        system = harness.System("bench", lifecycle=True, notify=True, cluster_url=url, counting_mail=True)
        for svc in [system.gateway, *system.intakes, *system.stats_replicas, *system.lifecycle_services(),
                    *system.notifiers]:
            svc.env["ADUAN_LOG_LEVEL"] = "warn"
        # a deployment's statistics settings, not the tests' max age 0, under which the warmer
        # computes the dashboard again whenever the facts move (branch warm: 15-18 % of a core)
        for stats in system.stats_replicas:
            stats.env["ADUAN_STATS_MAX_AGE"] = os.environ.get("ADUAN_STATS_MAX_AGE", "60")
        system.start()
        services = {"gateway": system.gateway, "intake": system.intakes[0], "stats": system.stats,
                    "verify": system.verify, "route": system.route, "notify": system.notify}
        db_url = system.db.url
        regions = ["21.71"]
        categories = psql(db_url, "SELECT string_agg(code, ',' ORDER BY code) FROM (SELECT code FROM categories "
                                  "WHERE code LIKE '%.%' ORDER BY code LIMIT 6) c")
        status, _, doc = system.json("POST", "/api/v1/reports", harness.valid_report())
        if status != 201:
            raise RuntimeError(f"a plain submission answered {status}: {doc}")
        accepted_categories = []
        for c in categories.split(","):
            status, _, _ = system.json("POST", "/api/v1/reports", harness.valid_report(category=c))
            if status == 201:
                accepted_categories.append(c)
        time.sleep(3)
        idle = {n: rss_kb(s.proc.pid) for n, s in services.items()}

        lua_args = [",".join(regions), ",".join(accepted_categories)]
        submit = os.path.join(HERE, "submit.lua")
        runs = {}
        peak = {}
        for name, conns in (("http16", 16), ("http256", 256)):
            with RssSampler(services) as sampler:
                runs[name] = wrk(system.http_port, submit, conns, a.seconds, lua_args)
            peak = {n: max(peak.get(n, 0), v) for n, v in sampler.peak.items()}
            print(f"{name}: {runs[name]}", flush=True)
        lag_at_stop = {g: group_lag(db_url, g) for g in GROUPS}
        caught_up = catch_up(db_url, list(GROUPS), a.drain_limit)
        print(f"behind at stop {lag_at_stop}; caught up after {caught_up}", flush=True)

        def sample():
            return cpu_profile.Sample(cpu_profile.service_pids(system), folder)

        maximum = max(runs["http16"]["ok_per_s"], runs["http256"]["ok_per_s"])
        before = sample()
        open_half = open_loop.run(system.http_port, maximum / 2, a.open_seconds, regions, accepted_categories)
        cpu = {"open_half": (before, sample())}
        print(f"open loop at {maximum / 2:.0f}/s: {open_half}", flush=True)
        held_at, failed_at, steps = sustained_rate(system, db_url, maximum / 2, a.steps, a.step_seconds, regions,
                                                   accepted_categories, a.drain_limit)

        consumers = [system.verify, system.route, system.notify]
        for svc in consumers:
            svc.proc.send_signal(signal.SIGSTOP)
        beside_gis = [insert16_again(url, a.pgbench_seconds)]
        before = sample()
        with RssSampler(services) as sampler:
            runs["http256_gis"] = wrk(system.http_port, submit, 256, a.seconds, lua_args)
        cpu["http256_gis"] = (before, sample())
        peak = {n: max(peak.get(n, 0), v) for n, v in sampler.peak.items()}
        beside_gis.append(insert16_again(url, a.pgbench_seconds))
        print(f"pgbench insert 16 clients before and after it: {beside_gis[0][0]:.0f} and {beside_gis[1][0]:.0f} tps "
              f"(autovacuum workers {beside_gis[0][2]} and {beside_gis[1][2]})", flush=True)
        for svc in consumers:
            svc.proc.send_signal(signal.SIGCONT)
        print(f"http256 gateway+intake+stats: {runs['http256_gis']}", flush=True)
        ids_file = os.path.join(system.workdir, "tracking-ids")
        with open(ids_file, "w") as f:
            f.write(psql(db_url, "SELECT tracking_id FROM reports ORDER BY random() LIMIT 5000") + "\n")
        # Tracking is measured twice: at once, while the groups still handle the events of the load
        # above (each event about a report ends its kept view, and the consumers share the cores),
        # and again once every group has caught up, the figure the target is about.
        runs["track16_draining"] = tracking_run(system, services, db_url, a.seconds, ids_file)
        print(f"tracking while the groups catch up: {runs['track16_draining']}", flush=True)
        settled = settle(db_url, list(GROUPS), a.drain_limit)
        runs["track16"] = tracking_run(system, services, db_url, a.seconds, ids_file)
        print(f"tracking after every group caught up ({settled if settled is None else round(settled, 1)} s): "
              f"{runs['track16']}", flush=True)

        # The backlog: a staff verify makes the first report.verified event, whose payload is reused.
        harness_admin = "bench.admin"
        system.create_staff(harness_admin, "national_admin", "NASIONAL")
        auth = system.login(harness_admin)
        tracking = psql(db_url, "SELECT tracking_id FROM reports WHERE status = 'waiting_verification' LIMIT 1")
        status, doc = system.act(tracking, auth, "verify")
        if status not in (200, 201):
            raise RuntimeError(f"verify answered {status}: {doc}")
        catch_up(db_url, list(GROUPS), a.drain_limit)
        paused = [system.verify, system.route, system.notify, system.stats]
        for svc in paused:
            svc.proc.send_signal(signal.SIGSTOP)
        per_group, made = write_backlog(db_url, a.backlog, accepted_categories[0], regions[0])
        print(f"backlog of {a.backlog} reports ({per_group}) written in {made:.1f} s", flush=True)
        for svc in paused:
            svc.proc.send_signal(signal.SIGCONT)
        drained = catch_up(db_url, list(GROUPS), a.drain_limit)
        rest = {g: group_lag(db_url, g) for g in GROUPS if drained[g] is None}
        drain_s = {g: drained[g] or a.drain_limit for g in GROUPS}
        alone, cpu["alone"] = drain_each(system, db_url, a.backlog, accepted_categories[0], regions[0], a.drain_limit,
                                         sample)
        time.sleep(3)
        idle_after = {n: rss_kb(s.proc.pid) for n, s in services.items()}

        insert16 = ins16[0]
        print()
        print(f"## aduan load benchmark ({time.monotonic() - t0:.0f} s, baselines: pgbench insert 16 clients "
              f"{insert16:.0f} tps, select 16 clients {sel16[0]:.0f} tps)")
        print("| what | figure | ratio to pgbench |")
        print("|---|---|---|")
        print(f"| pgbench single-row insert, 1 client | {ins1[0]:.0f} tps, {ins1[1]:.2f} ms | {ratio(ins1[0], insert16)} of 16-client |")
        print(f"| pgbench single-row insert, 16 clients | {insert16:.0f} tps, {ins16[1]:.2f} ms | 1 |")
        print(f"| pgbench select by key, 16 clients | {sel16[0]:.0f} tps, {sel16[1]:.2f} ms | 1 |")
        for name, label, base_tps, base_ms in (
                ("http16", "POST reports, 16 conn., all services", insert16, ins16[1]),
                ("http256", "POST reports, 256 conn., all services", insert16, ins16[1]),
                ("http256_gis", "POST reports, 256 conn., gateway+intake+stats", insert16, ins16[1]),
                ("track16_draining", "GET tracking, 16 conn., while the groups catch up", sel16[0], sel16[1]),
                ("track16", "GET tracking, 16 conn., every group caught up", sel16[0], sel16[1])):
            r = runs[name]
            print(f"| {label} | {r['ok_per_s']:.0f} ok/s ({r['refused']} refused, {r['timeout']} time-outs), "
                  f"p50 {r['p50_us'] / 1000:.1f} ms, p99 {r['p99_us'] / 1000:.1f} ms, p99.9 {r['p999_us'] / 1000:.1f} ms "
                  + (f"; {tracking_text(r)} " if "views" in r else "")
                  + f"| {ratio(r['ok_per_s'], base_tps)}; p50 {ratio(r['p50_us'] / 1000, base_ms)}, "
                  f"p99 {ratio(r['p99_us'] / 1000, base_ms)} of pgbench latency |")
            if name == "http256_gis":
                print(f"| pgbench single-row insert, 16 clients, just before and just after the line above | "
                      f"{beside_gis[0][0]:.0f} and {beside_gis[1][0]:.0f} tps, autovacuum workers running at their "
                      f"start {beside_gis[0][2]} and {beside_gis[1][2]} | the line above "
                      f"{ratio(r['ok_per_s'], beside_gis[0][0])} and {ratio(r['ok_per_s'], beside_gis[1][0])} "
                      f"of them |")
            if name == "http256":
                r = open_half
                print(f"| POST reports, open loop at half the maximum ({r['rate']:.0f}/s offered), all services | "
                      f"{r['ok_per_s']:.0f} ok/s ({r['refused']} refused, {r['timeout']} time-outs), "
                      f"p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, p99.9 {r['p999_ms']:.1f} ms, "
                      f"max {r['max_ms']:.1f} ms | {ratio(r['ok_per_s'], base_tps)}; p50 {ratio(r['p50_ms'], base_ms)}, "
                      f"p99 {ratio(r['p99_ms'], base_ms)} of pgbench latency |")
                print(f"| the open loop's longest silence (no answer while written requests waited) | "
                      f"{r['silence']['ms']:.1f} ms from second {r['silence']['at_s']:.1f}, "
                      f"{r['silence']['waiting']} requests waiting | - |")
                for rate, held, r, growth in steps:
                    grew = ", ".join(f"{g} {v:+.0f}" for g, v in growth.items())
                    print(f"| sustained step {rate:.0f}/s for {a.step_seconds} s, no contact details | "
                          f"{'held' if held else 'not held'}: {r['ok']} of {r['sent']} accepted, p99 {r['p99_ms']:.1f} ms; "
                          f"lag growth {grew} events | {ratio(rate, base_tps)} |")
                best = f"{held_at:.0f}/s" if held_at else f"below {failed_at:.0f}/s (no step held)"
                print(f"| sustained rate, no group falling behind over {a.step_seconds} s | {best} "
                      f"(lowest not held: {f'{failed_at:.0f}/s' if failed_at else 'none'}) | "
                      f"{ratio(held_at, base_tps) if held_at else '-'} |")
        for g in GROUPS:
            secs = drained[g]
            rate = (per_group[g] - rest.get(g, 0)) / drain_s[g]
            print(f"| {g}: behind when the 256-conn. load stopped | {lag_at_stop[g]} events, caught up in "
                  f"{caught_up[g] if caught_up[g] is None else round(caught_up[g], 1)} s | - |")
            drained_text = (f"{per_group[g]} events in {secs:.1f} s, {rate:.0f} events/s" if secs
                            else f"not drained in {a.drain_limit} s ({rest[g]} of {per_group[g]} left), "
                                 f"{rate:.0f} events/s")
            print(f"| {g}: backlog drain, the four groups at once | {drained_text} | {ratio(rate, insert16)} |")
            events, secs, left = alone[g]
            rate = (events - left) / (secs or a.drain_limit)
            alone_text = (f"{events} events in {secs:.1f} s, {rate:.0f} events/s" if secs
                          else f"not drained in {a.drain_limit} s ({left} of {events} left), {rate:.0f} events/s")
            print(f"| {g}: backlog drain, one group at a time | {alone_text} | {ratio(rate, insert16)} |")
        for n in services:
            print(f"| RSS {n}: idle / peak under load / idle after | {idle[n] / 1024:.1f} / {peak[n] / 1024:.1f} / "
                  f"{idle_after[n] / 1024:.1f} MB | - |")
        print_profiles(cpu, runs["http256_gis"], open_half, alone, insert16)
        print()
        for n, svc in services.items():
            print(f"{n} after the run: {memory_detail(svc)}")
    finally:
        if system:
            system.stop()
            if system.mail:
                print(f"the bench's SMTP server (aduan-bench-mail): {system.mail.counts}", flush=True)
        subprocess.run([PG_CLUSTER, "destroy", folder], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
