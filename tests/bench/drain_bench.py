"""Where a consumer's time goes while it drains a backlog (issue 11, brief "drain").

Starts a private cluster (fsync and synchronous_commit on) with pg_stat_statements loaded, every
service, writes load_bench's backlog (BACKLOG reports, each with a report.submitted and a
report.verified event) while verify, route, notify and stats are stopped, then lets ONE group
at a time drain it, in the order stats (which numbers the log), verify, route, notify. For each:
events handled and events/s, statements and commits per event (pg_stat_statements of the
service's own database role: load-independent), the top statements by execution time, and with
--perf the service's own profile (`perf record -g -p PID`). With --no-sender notify runs with
ADUAN_NOTIFY_SEND=off, so its turn counts the fan-out alone (recipients, deliveries, inbox items),
not the sender's claims. Each group's RSS is printed before its turn, when it has drained and
idle 3 s later (the stream's queue and the malloc arenas a backlog leaves behind). With --members N,
verify, route and notify run N members each, splitting the partitions as replicas do; their CPU is
summed, RSS and --perf are the first member's. Each turn also lists the tables read sequentially
for at least a tenth of the backlog's rows (by any backend, from when the turn's goal was known
until 3 s after its drain): a hot-path statement whose plan reads a growing table shows there.
Each turn prints the cluster's WAL per event (records, full-page images, bytes) and the gateway's
CPU per event the hub published (its live feed reads every event of the stream). --setup-sql runs a
statement as the database's owner before the backlog is written (an index dropped, a storage
setting). The groups not drained (not in --groups) run meanwhile, handling what the drained ones write; with
--others stopped verify, route and notify stay stopped unless drained (stats, the hub that numbers
the log, always runs), and a turn shares the cores with stats alone.

    /usr/bin/python3 tests/bench/drain_bench.py BUILD_DIR [--backlog N] [--limit S] [--perf DIR] [--strace DIR]
        [--no-sender] [--track all] [--explain FILE [--explain-ms MS]] [--members N]
        [--setup-sql SQL ...] [--others stopped]
ADUAN_STATS_MAX_AGE and ADUAN_STATS_WARM_EVERY in the environment are given to aduan-stats (the
harness's max age is 0: fresh figures only, the warmer recomputing after every run).
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cpu_profile  # noqa: E402
import load_bench as lb  # noqa: E402  (the backlog, the positions and the cluster of the load benchmark)

ORDER = ("stats", "verify", "route", "notify")


def statement_summary(url, role, events, top):
    """(statements per event, commits per event, exec ms per event, planning ms per event, the top
    rows by execution + planning time) of one role: the statements it sends, not those inside
    functions."""
    totals = lb.psql(url, "SELECT coalesce(sum(calls), 0), coalesce(sum(calls) FILTER (WHERE query ILIKE 'commit%'), 0), "
                          "coalesce(sum(total_exec_time), 0), coalesce(sum(total_plan_time), 0) FROM pg_stat_statements s JOIN pg_roles r "
                          f"ON r.oid = s.userid WHERE r.rolname = '{role}'").split("\t")
    calls, commits, exec_ms, plan_ms = int(totals[0]), int(totals[1]), float(totals[2]), float(totals[3])
    rows = lb.psql(url, "SELECT calls, round(total_exec_time::numeric, 1), round(total_plan_time::numeric, 1), rows, "
                        "round((100 * (total_exec_time + total_plan_time) / nullif(sum(total_exec_time + total_plan_time) "
                        "  OVER (), 0))::numeric, 1), "
                        "left(regexp_replace(query, '\\s+', ' ', 'g'), 110) FROM pg_stat_statements s "
                        f"JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = '{role}' "
                        f"ORDER BY total_exec_time + total_plan_time DESC LIMIT {top}")
    per = max(events, 1)
    return calls / per, commits / per, exec_ms / per, plan_ms / per, rows


def attach(perf_dir, trace_dir, group, pid, backends):
    """perf record -g and strace -f -T -tt of the service (-f: every thread, -T: time in each call,
    which says on which fd and which peer it waits), each into its folder; the tracers started.
    Both also follow the service's PostgreSQL backends (BACKENDS: their pids), into
    GROUP.backends.data and GROUP.backends.trace: what a backend does while the service waits on
    its socket."""
    tracers = []
    if perf_dir:
        tracers.append(subprocess.Popen(["perf", "record", "-g", "-q", "-o", os.path.join(perf_dir, f"{group}.data"),
                                         "-p", str(pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        if backends:
            tracers.append(subprocess.Popen(["perf", "record", "-g", "-q", "-o",
                                             os.path.join(perf_dir, f"{group}.backends.data"), "-p", ",".join(backends)],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    if trace_dir:
        tracers.append(subprocess.Popen(["strace", "-f", "-T", "-tt", "-yy", "-o", os.path.join(trace_dir, f"{group}.trace"),
                                         "-p", str(pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        if backends:
            tracers.append(subprocess.Popen(["strace", "-T", "-tt", "-yy", "-o",
                                             os.path.join(trace_dir, f"{group}.backends.trace")]
                                            + [arg for b in backends for arg in ("-p", b)],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    if tracers:
        time.sleep(0.5)
    return tracers


def backlog_events(url, group, mark):
    """(seq, partition) of the group's events up to id `mark` past its positions; None while some of
    them are not numbered yet."""
    if int(lb.psql(url, f"SELECT count(*) FROM events WHERE seq IS NULL AND id <= {mark} AND {lb.topic_filter(group)}")):
        return None
    done = lb.positions(url, group)
    partitions = max(len(done), 1)
    found = []
    for line in lb.psql(url, f"SELECT seq, tracking_id FROM events WHERE id <= {mark} AND seq > "
                             f"{min(done.values(), default=0)} AND {lb.topic_filter(group)}").splitlines():
        seq, tracking = line.split("\t")
        partition = lb.fnv1a(tracking) % partitions if tracking else 0
        if int(seq) > done.get(partition, 0):
            found.append((int(seq), partition))
    return found


def backlog_targets(url, group, mark):
    """Where each partition's position must reach for the group to have handled the events up to
    id `mark`; None until all of them are numbered."""
    found = backlog_events(url, group, mark)
    if found is None:
        return None
    last = {}
    for seq, partition in found:
        last[partition] = max(last.get(partition, 0), seq)
    return last


def drain_backlog(url, group, mark, limit_s):
    """Seconds until the group has handled every event up to id `mark` (None when not within
    limit_s), and the tables' sequential reads once that goal was known (sequential_reads: the
    look-ups that find the goal read events whole). The groups not drained run meanwhile and write
    events of their own (route's dispatches, ...) that this group also handles: lb.catch_up's goal
    took in those written before the log was all numbered, and lb.group_lag counted the rest as left
    after the drain."""
    start, goal = time.monotonic(), None
    while goal is None and time.monotonic() - start < limit_s:
        goal = backlog_targets(url, group, mark)
        if goal is None:
            time.sleep(0.5)
    scanned = sequential_reads(url)
    while goal is not None and time.monotonic() - start < limit_s:
        done = lb.positions(url, group)
        if all(seq <= done.get(p, 0) for p, seq in goal.items()):
            return time.monotonic() - start, scanned
        time.sleep(0.5)
    return None, scanned


def drain_one(url, db_url, group, members, limit, perf_dir, trace_dir):
    """(events of the backlog handled, of them left, seconds, its backends' CPU seconds, events others
    wrote during the turn, the tables' sequential reads from when its goal was known, the cluster's
    WAL written during the turn as load_bench.wal_written counts it); perf and strace follow the group's first
    member."""
    lag = lb.group_lag(db_url, group)
    mark = int(lb.psql(db_url, "SELECT coalesce(max(id), 0) FROM events"))
    lb.psql(url, "SELECT pg_stat_statements_reset()")
    backends = lb.psql(url, f"SELECT pid FROM pg_stat_activity WHERE usename = 'aduan_{group}'").split()
    tracers = attach(perf_dir, trace_dir, group, members[0].proc.pid, backends)
    backend_cpu = sum(cpu_profile.cpu_seconds(int(b)) for b in backends)
    wal = lb.wal_written(url)
    start = time.monotonic()
    for svc in members:
        svc.proc.send_signal(signal.SIGCONT)
    took, scanned = drain_backlog(db_url, group, mark, limit)
    seconds = took if took is not None else time.monotonic() - start
    left = 0 if took is not None else len(backlog_events(db_url, group, mark) or ()) + int(lb.psql(
        db_url, f"SELECT count(*) FROM events WHERE seq IS NULL AND id <= {mark} AND {lb.topic_filter(group)}"))
    written = lb.psql(db_url, f"SELECT count(*) FROM events WHERE id > {mark} AND {lb.topic_filter(group)}")
    # The CPU of the service's PostgreSQL backends during its turn: unlike their statements' times
    # it does not grow with the machine's load (a backend that connected during the turn is missed).
    backend_cpu = sum(cpu_profile.cpu_seconds(int(b)) for b in backends) - backend_cpu
    wal = [n - b for n, b in zip(lb.wal_written(url), wal)]
    for tracer in tracers:
        tracer.send_signal(signal.SIGINT)
        tracer.wait(timeout=60)
    return lag - left, left, seconds, backend_cpu, int(written), scanned, wal


def owned_partitions(svc):
    """The partitions a consumer-group member holds (its /metrics)."""
    _, text = svc.admin_get("/metrics")
    found = re.search(r"^aduan_consumer_partitions_owned(?:\{[^}]*\})? (\d+)", text, re.M)
    return int(found.group(1)) if found else None


def wait_for_split(services, limit_s):
    """Waits (up to limit_s) until every member holds partitions; what each held, as text."""
    deadline = time.monotonic() + limit_s
    while True:
        held = {g: [owned_partitions(m) for m in members] for g, members in services.items()}
        if all(n for counts in held.values() for n in counts) or time.monotonic() > deadline:
            return "; ".join(f"{g} {', '.join(str(n) for n in counts)}" for g, counts in held.items())
        time.sleep(0.5)


def hub_counters(stats):
    """The hub's published events and replay requests answered so far (aduan-stats' /metrics)."""
    _, text = stats.admin_get("/metrics")
    found = dict(re.findall(r"^(aduan_stream_published_total|aduan_replay_requests_total) (\d+)", text, re.M))
    return [int(found.get(name, 0)) for name in ("aduan_stream_published_total", "aduan_replay_requests_total")]


def largest_mappings(pid, n=3):
    """The n mappings of a process holding most resident memory: (kB, what), e.g. [heap] (the main
    arena), an unnamed one (another thread's malloc arena, ZeroMQ's I/O thread among them)."""
    found, current = [], None
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                fields = line.split()
                if "-" in fields[0] and not fields[0].endswith(":"):
                    current = fields[5] if len(fields) > 5 else f"[anon {fields[0]}]"
                elif fields[0] == "Rss:":
                    found.append((int(fields[1]), current))
    except OSError:
        pass
    return sorted(found, reverse=True)[:n]


def fanout_rows(db_url):
    """(deliveries, inbox items, attempts other than an inbox's) in the database now."""
    return [int(v) for v in lb.psql(db_url, "SELECT (SELECT count(*) FROM deliveries), (SELECT count(*) FROM inbox_items), "
                                            "(SELECT count(*) FROM delivery_attempts WHERE detail IS DISTINCT FROM 'in the inbox')").split("\t")]


def sequential_reads(db_url):
    """Rows read by sequential scans so far, per table of the application's database (every backend's,
    as the statistics collector last heard of them)."""
    rows = lb.psql(db_url, "SELECT relname, seq_tup_read FROM pg_stat_user_tables")
    return {name: int(n) for name, n in (line.split("\t") for line in rows.splitlines())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--backlog", type=int, default=5000)
    ap.add_argument("--limit", type=int, default=60, help="seconds a group may take to drain")
    ap.add_argument("--perf", help="folder for perf.data of each service (perf record -g)")
    ap.add_argument("--strace", help="folder for an strace -f -T -tt of each service while it drains")
    ap.add_argument("--top", type=int, default=6)
    ap.add_argument("--keep-logs", action="store_true", help="keep the services' logs (their warnings say why a run failed)")
    ap.add_argument("--groups", default=",".join(ORDER), help="groups to drain, in this order (stats first)")
    ap.add_argument("--members", type=int, default=1,
                    help="members of verify, route and notify each (they split the partitions; stats stays one)")
    ap.add_argument("--rss-limit", type=float, help="MB: exit 1 when a group is above it idle 3 s after its drain")
    ap.add_argument("--no-sender", action="store_true", help="notify makes deliveries but sends none (ADUAN_NOTIFY_SEND=off)")
    ap.add_argument("--track", choices=("top", "all"), default="top",
                    help="pg_stat_statements.track: all lists the statements of triggers and functions too "
                         "(and counts them in statements per event)")
    ap.add_argument("--explain", metavar="FILE", help="auto_explain (analyze, nested statements too) of every statement "
                                                      "over --explain-ms, the server's log copied to FILE")
    ap.add_argument("--explain-ms", type=int, default=20)
    ap.add_argument("--setup-sql", action="append", default=[], metavar="SQL",
                    help="a statement run as the database's owner before the backlog is written (an index to try without)")
    ap.add_argument("--others", choices=("run", "stopped"), default="run",
                    help="verify, route and notify when not drained: run beside the drained ones (the default) or stay "
                         "stopped (stats, the hub, always runs)")
    a = ap.parse_args()
    failed = False
    os.environ["ADUAN_BIN_DIR"] = os.path.join(os.path.abspath(a.build), "bin")
    sys.path.insert(0, os.path.join(lb.TOP, "tests", "harness"))
    import aduan_harness as harness

    folder = tempfile.mkdtemp(prefix="aduan-pg-drain-", dir="/tmp")
    url = subprocess.run([lb.PG_CLUSTER, "start", folder], check=True, capture_output=True, text=True).stdout.strip()
    system = None
    try:
        if a.explain:
            lb.with_auto_explain(folder, a.explain_ms)
        lb.with_pg_stat_statements(folder, url, a.track)
        system = harness.System("drain", lifecycle=True, notify=True, cluster_url=url, lifecycle_replicas=a.members,
                                notify_replicas=a.members, counting_mail=True)
        # stats stays one member: its replicas would also be hubs numbering the same log
        services = {"stats": [system.stats], "verify": system.lifecycle["verify"], "route": system.lifecycle["route"],
                    "notify": system.notifiers}
        for svc in [system.gateway, *system.intakes, *(m for group in services.values() for m in group)]:
            svc.env["ADUAN_LOG_LEVEL"] = "warn"
        # the harness answers fresh figures only (max age 0, so the warmer recomputes after every
        # run); ADUAN_STATS_MAX_AGE=60 in the environment drains with the shipped settings
        for name in ("ADUAN_STATS_MAX_AGE", "ADUAN_STATS_WARM_EVERY"):
            if name in os.environ:
                system.stats.env[name] = os.environ[name]
        for svc in system.notifiers if a.no_sender else ():
            svc.env["ADUAN_NOTIFY_SEND"] = "off"
        system.start()
        db_url = system.db.url
        status, _, doc = system.json("POST", "/api/v1/reports", harness.valid_report())
        if status != 201:
            raise RuntimeError(f"a plain submission answered {status}: {doc}")
        category = lb.psql(db_url, "SELECT category_code FROM reports LIMIT 1")
        region = lb.psql(db_url, "SELECT region_code FROM reports LIMIT 1")
        system.create_staff("drain.admin", "national_admin", "NASIONAL")
        auth = system.login("drain.admin")
        lb.catch_up(db_url, list(lb.GROUPS), 30)
        tracking = lb.psql(db_url, "SELECT tracking_id FROM reports LIMIT 1")
        status, doc = system.act(tracking, auth, "verify")
        if status not in (200, 201):
            raise RuntimeError(f"verify answered {status}: {doc}")
        lb.catch_up(db_url, list(lb.GROUPS), 30)
        # Staff at the institution route gives these reports, so a dispatch fans out to an inbox and
        # e-mail each, as in a real office; the backlog's reports go where this one went.
        holder = lb.psql(db_url, f"SELECT institution_code FROM reports WHERE tracking_id = '{tracking}'")
        for i in range(3) if holder else ():
            system.create_staff(f"drain.liaison{i}", "unit_liaison", holder, email=f"liaison{i}@example.go.id")
        split = wait_for_split(services, 20)
        hub_at_stop = hub_counters(system.stats)
        for svc in (m for group in services.values() for m in group):
            svc.proc.send_signal(signal.SIGSTOP)
        for sql in a.setup_sql:
            lb.psql(db_url, sql)
        lb.write_backlog(db_url, a.backlog, category, region)
        print(f"backlog of {a.backlog} reports; load average {os.getloadavg()[0]:.2f}", flush=True)
        if a.members > 1:
            print(f"partitions each member held when stopped: {split}", flush=True)
        groups = a.groups.split(",")
        over = []
        for g in ORDER:   # groups not drained handle what the drained ones write; stats numbers the log
            if g not in groups and (a.others == "run" or g == "stats"):
                for svc in services[g]:
                    svc.proc.send_signal(signal.SIGCONT)
        for g in groups:
            for out in (a.perf, a.strace):
                if out:
                    os.makedirs(out, exist_ok=True)
            first = services[g][0].proc.pid   # RSS and mappings: the first member's
            rss_before = lb.rss_kb(first)
            made_before = fanout_rows(db_url)
            cpu_before = sum(cpu_profile.cpu_seconds(m.proc.pid) for m in services[g])
            gateway_before = cpu_profile.cpu_seconds(system.gateway.proc.pid)
            hub_before = hub_counters(system.stats) if g != "stats" else hub_at_stop
            done, left, seconds, backend_cpu, written, scanned_before, wal = drain_one(
                url, db_url, g, services[g], a.limit, a.perf, a.strace)
            cpu = sum(cpu_profile.cpu_seconds(m.proc.pid) for m in services[g]) - cpu_before
            gateway_cpu = cpu_profile.cpu_seconds(system.gateway.proc.pid) - gateway_before
            hub = [n - b for n, b in zip(hub_counters(system.stats), hub_before)]
            rss_drained = lb.rss_kb(first)
            mappings = largest_mappings(first)
            spe, cpe, mspe, plan, rows = statement_summary(url, f"aduan_{g}", done, a.top)
            state = "drained" if left == 0 else f"NOT drained, {left} left"
            print(f"\n## {g}: {done} events in {seconds:.1f} s = {done / seconds:.0f} events/s ({state}); "
                  f"load average {os.getloadavg()[0]:.2f}; {written} events of its topics written by the "
                  f"running groups during its turn")
            print(f"per event: {spe:.2f} statements, {cpe:.3f} commits, {mspe:.3f} ms executing and {plan:.3f} ms "
                  f"planning in PostgreSQL; {1000 * seconds / max(done, 1):.3f} ms of wall time; "
                  f"{1000 * cpu / max(done, 1):.3f} ms of the service's CPU, "
                  f"{1000 * backend_cpu / max(done, 1):.3f} ms of its PostgreSQL backends' CPU")
            print(f"WAL per event (the whole cluster's): {wal[0] / max(done, 1):.1f} records, "
                  f"{wal[1] / max(done, 1):.2f} full-page images, {wal[2] / max(done, 1) / 1024:.1f} kB")
            print(f"the hub published {hub[0]} events and answered {hub[1]} replay requests during the turn; "
                  f"the gateway (its live feed reads every event) {1000 * gateway_cpu / max(hub[0], 1):.4f} ms "
                  f"of CPU an event published")
            time.sleep(3)   # also lets every backend report its table counts (at most once a second)
            scanned = sorted(((n - scanned_before.get(t, 0), t) for t, n in sequential_reads(db_url).items()
                              if n - scanned_before.get(t, 0) >= a.backlog // 10), reverse=True)
            made = [n - b for n, b in zip(fanout_rows(db_url), made_before)]   # counts read those tables whole
            idle_mb = lb.rss_kb(first) / 1024
            print(f"RSS {rss_before / 1024:.1f} MB before its turn, {rss_drained / 1024:.1f} MB drained, "
                  f"{idle_mb:.1f} MB idle 3 s later")
            print("largest mappings when drained: " + ", ".join(f"{what} {kb / 1024:.1f} MB" for kb, what in mappings)
                  + "; idle: " + ", ".join(f"{what} {kb / 1024:.1f} MB" for kb, what in largest_mappings(first)))
            if a.rss_limit and idle_mb > a.rss_limit:
                over.append(f"{g} {idle_mb:.1f} MB")
            if g == "notify":
                print(f"made during its turn: {made[0]} deliveries ({made[0] / max(done, 1):.2f} per event), "
                      f"{made[1]} inbox items, {made[2]} sent attempts")
            print("rows read by sequential scans during its turn (tables with at least a tenth of the backlog): "
                  + (", ".join(f"{t} {n}" for n, t in scanned) or "none"))
            print("| calls | exec ms | plan ms | rows | share | statement |\n|---|---|---|---|---|---|")
            for line in rows.splitlines():
                print("| " + " | ".join(line.split("\t")) + " |")
            sys.stdout.flush()
        if over:
            print(f"\nidle after a drain above {a.rss_limit} MB: {', '.join(over)}")
            failed = True
    finally:
        if system:
            for svc in [system.stats, *system.lifecycle_services(), *system.notifiers]:
                if svc and svc.proc:
                    svc.proc.send_signal(signal.SIGCONT)
            system.stop(failed=a.keep_logs)
        if a.explain:
            shutil.copyfile(lb.server_log(folder), a.explain)
        subprocess.run([lb.PG_CLUSTER, "destroy", folder], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
