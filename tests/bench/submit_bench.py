"""Where a submission's time goes (issue 11, brief "submit11"): the POST figures of the load
benchmark alone, with what explains them.

Starts a private cluster (fsync and synchronous_commit on) with pg_stat_statements loaded
(track = all: the statements inside triggers are counted too, so a trigger's share shows), takes
pgbench's 16-client single-row insert as the baseline, starts gateway + intake + stats (or every
service with --all), and for each connection count runs wrk (tests/bench/submit.lua) and prints:
accepted/s, p50, p99 (with the ratio to pgbench), the load average, intake's batches (requests
per batch, handler ms per batch, from its /metrics), and per accepted submission the statements
intake's role sent and the PostgreSQL time they took, the top ones, and the statements that ran
inside triggers, and the CPU each process group used per accepted submission (/proc/PID/stat).
--perf DIR records gateway, intake and every PostgreSQL process, --strace DIR gateway and intake,
during the first run.
--rates R1,R2 runs an open-loop load (open_loop.py: fixed arrival rate, latency from each
request's due time) at each rate instead of wrk's closed loop at each connection count; it also
prints where the answers waited (before being written, or in the server) and in which seconds of
the run the ones over p99 were due. Each run prints the largest execution of each top statement
(a stall inside one statement shows there) and the share of submissions per bucket of the gateway's
time and of their intake batch's time. --setup-sql runs a statement as the cluster's owner once
the services are up (an index setting to try against the same build). With --all the statements of
verify, route and notify are listed too, each with the buffers it touched a call (a statement whose
plan reads a growing table shows there). --warm-seconds over 3 starts the runs where load_bench's
open loop starts: tables grown by that much load, analyzed, and every group caught up (a run on
fresh tables measures plans made while they were nearly empty). --service-env sets a setting of
every service. --intake-replicas N runs N intake replicas, as an operator scales intake (their CPU
is summed; the batch figures and --perf are the first replica's). With --rates, --no-contact sends
the sustained steps' submissions (no e-mail or phone), --open-connections N sets the open
loop's pool (64), and --waits samples what PostgreSQL's processes are doing every 10 ms and prints,
for the seconds the answers over p99 were due in beside the other seconds, how many were in each
state (a stall's cause shows there and not in the others). --explain FILE has PostgreSQL log the
analyzed plan of a share (--explain-sample, 0.02) of the statements over --explain-ms (0) of every
session, warm-up included, and copies its log to FILE: a plan that does much more work than its
rows call for shows there.

    /usr/bin/python3 tests/bench/submit_bench.py BUILD_DIR [--seconds 15] [--connections 16,256] [--all]
        [--rates R1,R2] [--warm-seconds S] [--gateway-env NAME=VALUE ...] [--service-env NAME=VALUE ...]
        [--setup-sql SQL ...] [--perf DIR] [--strace DIR] [--intake-replicas N] [--no-contact]
        [--open-connections N] [--waits] [--explain FILE [--explain-ms MS] [--explain-sample SHARE]]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cpu_profile  # noqa: E402
import load_bench as lb  # noqa: E402  (the cluster, pgbench, wrk and submit.lua of the load benchmark)
import open_loop  # noqa: E402


def metric_sums(port, name):
    """{labels: (sum, count)} of a histogram on a service's /metrics."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    out = {}
    for m in re.finditer(rf"^{name}_(sum|count)(\{{[^}}]*\}})? ([0-9.e+-]+)$", text, re.M):
        s, c = out.get(m.group(2) or "", (0.0, 0.0))
        out[m.group(2) or ""] = (float(m.group(3)), c) if m.group(1) == "sum" else (s, float(m.group(3)))
    return out


def metric_buckets(port, name, label):
    """{upper bound: cumulative count} of the histogram series whose labels contain `label`."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    return {m.group(1): float(m.group(2))
            for m in re.finditer(rf'^{name}_bucket\{{[^}}]*{re.escape(label)}[^}}]*le="([^"]+)"\}} ([0-9.e+-]+)$',
                                 text, re.M)}


def bucket_shares(before, after):
    """'<= bound: share' of what was observed between the two readings, for every bound up to the
    first that holds all of it."""
    total = after.get("+Inf", 0) - before.get("+Inf", 0)
    out = []
    for bound, count in after.items():
        share = (count - before.get(bound, 0)) / total if total else 0
        out.append(f"<= {bound} s {100 * share:.1f} %")
        if share >= 1:
            break
    return ", ".join(out)


def intake_batches(port):
    sizes = metric_sums(port, "aduan_command_batch_size").get('{type="report.submit"}', (0, 0))
    seconds = [v for k, v in metric_sums(port, "aduan_command_seconds").items() if "report.submit" in k]
    return sizes, (seconds[0] if seconds else (0, 0))


def gateway_seconds(port):
    """(sum, count) of the gateway's own time for POST /reports (route "reports"): from its first
    byte to the last of the answer."""
    return metric_sums(port, "aduan_http_request_seconds").get('{route="reports"}', (0, 0))


def statements(url, role, per, top):
    """Statements and PostgreSQL ms per accepted submission: those the role sent (toplevel), and
    those run inside them (triggers, functions), with the top rows of each."""
    where = f"JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = '{role}'"
    out = []
    for level in ("true", "false"):
        total = lb.psql(url, f"SELECT coalesce(sum(calls), 0), coalesce(sum(total_exec_time), 0), "
                             f"coalesce(sum(total_plan_time), 0) FROM pg_stat_statements s "
                             f"{where} AND toplevel = {level}").split("\t")
        rows = lb.psql(url, "SELECT calls, plans, round(total_exec_time::numeric, 1), round(total_plan_time::numeric, 1), rows, "
                            "round(mean_exec_time::numeric, 3), round(max_exec_time::numeric, 1), "
                            "round((shared_blks_hit + shared_blks_read)::numeric / greatest(calls, 1), 1), "
                            "left(regexp_replace(query, '\\s+', ' ', 'g'), 120) FROM pg_stat_statements s "
                            f"{where} AND toplevel = {level} ORDER BY total_exec_time DESC LIMIT {top}")
        out.append((int(total[0]) / per, float(total[1]) / per, float(total[2]) / per, rows))
    return out


def lasting(pid):
    """Not a process that ends by itself soon: perf refuses the whole list if one pid is gone."""
    process_title = cpu_profile.title(pid)
    return bool(process_title) and "autovacuum worker" not in process_title


def recorders(args, system, folder):
    procs = []
    pids = {"gateway": system.gateway.proc.pid, "intake": system.intakes[0].proc.pid,
            "postgres": ",".join(str(p) for p in cpu_profile.postgres_pids(folder) if lasting(p))}
    for name, pid in pids.items():
        if args.perf:
            procs.append(subprocess.Popen(["perf", "record", "-g", "-q", "-o", os.path.join(args.perf, f"{name}.data"),
                                           "-p", str(pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        if args.strace and name != "postgres":
            procs.append(subprocess.Popen(["strace", "-f", "-T", "-tt", "-o", os.path.join(args.strace, f"{name}.trace"),
                                           "-p", str(pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    if procs:
        time.sleep(1)
    return procs


# What PostgreSQL's processes are doing, every 10 ms: a client backend that is active or inside a
# transaction, and a background process (checkpointer, autovacuum, WAL writer) that is not idle.
# Committed about once a second (synchronous_commit off: no fsync of its own among the measured
# ones); it stops when bench_waits_stop has a row, or after its longest time.
WAIT_SAMPLER = """
DO $$
DECLARE
    last timestamptz := clock_timestamp() + interval '%d s';
    n int := 0;
BEGIN
    WHILE clock_timestamp() < last AND NOT EXISTS (SELECT FROM bench_waits_stop) LOOP
        n := n + 1;
        PERFORM pg_stat_clear_snapshot();
        INSERT INTO bench_waits VALUES (n, clock_timestamp(), '(sample)', '-', '-');   -- even when nothing was busy
        INSERT INTO bench_waits
        SELECT n, clock_timestamp(), coalesce(usename::text, backend_type),
               coalesce(wait_event_type || ':' || wait_event, 'CPU'),
               left(regexp_replace(query, '\\s+', ' ', 'g'), 50)
          FROM pg_stat_activity
         WHERE pid <> pg_backend_pid()
           AND (state IN ('active', 'idle in transaction')
                OR (backend_type <> 'client backend' AND wait_event_type IS DISTINCT FROM 'Activity'));
        IF n %% 100 = 0 THEN
            COMMIT;
        END IF;
        PERFORM pg_sleep(0.01);
    END LOOP;
END $$;
"""


def start_wait_sampler(url, longest_s):
    lb.psql(url, "DROP TABLE IF EXISTS bench_waits, bench_waits_stop; "
                 "CREATE UNLOGGED TABLE bench_waits (n int, at timestamptz, who text, wait text, query text); "
                 "CREATE UNLOGGED TABLE bench_waits_stop ()")
    # Two -c: one string would be one transaction, where the loop's COMMIT is refused.
    return subprocess.Popen(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", "SET synchronous_commit = off",
                             "-c", WAIT_SAMPLER % longest_s],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_counts(rows, seconds):
    """{(who, wait, query): mean number of processes a sample} over the samples taken in `seconds`."""
    samples, counts = set(), {}
    for n, second, who, wait, query in rows:
        if second in seconds and who == "(sample)":
            samples.add(n)
        elif second in seconds:
            counts[(who, wait, query)] = counts.get((who, wait, query), 0) + 1
    return {k: v / max(len(samples), 1) for k, v in counts.items()}, len(samples)


def print_waits(url, sampler, started, slow_seconds, top):
    """Once the sampler was told to stop: what PostgreSQL's processes did in the seconds the answers
    over p99 were due in (and the second before each), beside the other seconds of the run: a
    stall's cause shows as a wait or a process there and not here."""
    _, error = sampler.communicate(timeout=60)
    if sampler.returncode != 0:
        print(f"wait sampler failed: {error.strip()}")
        return
    rows = [(int(n), int(float(second)), who, wait, query) for n, second, who, wait, query in
            (line.split("\t") for line in lb.psql(
                url, f"SELECT n, floor(extract(epoch FROM at) - {started!r}), who, wait, coalesce(nullif(query, ''), '-') "
                     f"FROM bench_waits WHERE at >= to_timestamp({started!r})").splitlines())]
    stalled = {s + d for s in slow_seconds for d in (-1, 0)}
    others = {second for _, second, _, _, _ in rows} - stalled
    inside, n_inside = wait_counts(rows, stalled)
    outside, n_outside = wait_counts(rows, others)
    print(f"PostgreSQL's processes sampled every 10 ms: mean number a sample in seconds {sorted(stalled)} "
          f"({n_inside} samples) | in the other seconds ({n_outside} samples) | who | wait | statement")
    keys = sorted(set(inside) | set(outside), key=lambda k: -(inside.get(k, 0) - outside.get(k, 0)))
    for k in keys[:top] + [k for k in keys[-top:] if k not in keys[:top]]:
        print(f"    {inside.get(k, 0):.2f} | {outside.get(k, 0):.2f} | {' | '.join(k)}")


def load(args, system, lua_args, conns, rate):
    """wrk's closed loop at `conns` connections, or the open loop at `rate` a second, in wrk's terms."""
    if rate is None:
        return lb.wrk(system.http_port, os.path.join(HERE, "submit.lua"), conns, args.seconds, lua_args)
    r = open_loop.run(system.http_port, rate, args.seconds, lua_args[0].split(","), lua_args[1].split(","),
                      contact=not args.no_contact, connections=args.open_connections)
    return {"requests": r["ok"] + r["refused"], "non2xx": r["refused"], "ok_per_s": r["ok_per_s"],
            "refused": r["refused"], "timeout": r["timeout"], "p50_us": r["p50_ms"] * 1000,
            "p99_us": r["p99_ms"] * 1000, "p999_us": r["p999_ms"] * 1000, **r}


def one_run(args, system, url, folder, conns, rate, lua_args, insert16, traced):
    lb.psql(url, "SELECT pg_stat_statements_reset()")
    port = system.intakes[0].admin_port
    (size0, batches0), (secs0, obs0) = intake_batches(port)
    gw0 = gateway_seconds(system.gateway.admin_port)
    buckets0 = (metric_buckets(port, "aduan_command_seconds", 'type="report.submit"'),
                metric_buckets(system.gateway.admin_port, "aduan_http_request_seconds", 'route="reports"'))
    load_before = os.getloadavg()[0]
    procs = recorders(args, system, folder) if traced else []
    sampler = start_wait_sampler(url, args.seconds + 120) if args.waits and rate is not None else None
    cpu0 = cpu_profile.Sample(cpu_profile.service_pids(system), folder)
    wal0 = lb.wal_written(url)
    try:
        run = load(args, system, lua_args, conns, rate)
        cpu1 = cpu_profile.Sample(cpu_profile.service_pids(system), folder)
        wal = [n - b for n, b in zip(lb.wal_written(url), wal0)]
    finally:
        for p in procs:
            p.send_signal(2)
            p.wait(timeout=60)
        if sampler:
            lb.psql(url, "INSERT INTO bench_waits_stop DEFAULT VALUES")
    load_after = os.getloadavg()[0]
    (size1, batches1), (secs1, obs1) = intake_batches(port)
    gw1 = gateway_seconds(system.gateway.admin_port)
    buckets1 = (metric_buckets(port, "aduan_command_seconds", 'type="report.submit"'),
                metric_buckets(system.gateway.admin_port, "aduan_http_request_seconds", 'route="reports"'))
    accepted = max(run["requests"] - run["non2xx"], 1)
    batches = max(batches1 - batches0, 1)
    what = f"{conns} connections" if rate is None else f"open loop at {rate:g}/s"
    print(f"\n### {what} ({'every service' if args.all else 'gateway + intake + stats'}), "
          f"load average {load_before:.2f} before, {load_after:.2f} after")
    print(f"accepted {run['ok_per_s']:.0f}/s ({lb.ratio(run['ok_per_s'], insert16[0])} of pgbench), "
          f"refused {run['refused']}, time-outs {run['timeout']}, p50 {run['p50_us'] / 1000:.1f} ms, "
          f"p99 {run['p99_us'] / 1000:.1f} ms, p99.9 {run['p999_us'] / 1000:.1f} ms")
    if rate is not None:
        print(f"p99 of the wait before a request was written {run['client_wait_p99_ms']:.1f} ms, of the time from "
              f"written to answered {run['server_p99_ms']:.1f} ms; the {run['over_p99']['count']} over p99: "
              f"p50 wait {run['over_p99']['client_wait_p50_ms']:.1f} ms, p50 server {run['over_p99']['server_p50_ms']:.1f}"
              f" ms, due in second (of the run): count {run['over_p99']['by_second']}")
        print(f"longest silence (no answer while written requests waited): {run['silence']['ms']:.1f} ms from "
              f"second {run['silence']['at_s']:.1f}, {run['silence']['waiting']} requests waiting")
        if sampler:
            print_waits(url, sampler, run["started"], list(run["over_p99"]["by_second"])[:3], args.top)
    print(f"gateway: {1000 * (gw1[0] - gw0[0]) / max(gw1[1] - gw0[1], 1):.2f} ms a submission on average "
          f"(first byte to answer); submissions answered within: {bucket_shares(buckets0[1], buckets1[1])}")
    print(f"intake: submissions whose batch (start to answers) took: {bucket_shares(buckets0[0], buckets1[0])}")
    print(f"intake: {batches:.0f} batches, {(size1 - size0) / batches:.1f} submissions a batch, "
          f"{1000 * (secs1 - secs0) / max(obs1 - obs0, 1):.2f} ms from a batch's start to its answers")
    print("\n".join(cpu_profile.table("CPU per accepted submission", cpu0, cpu1, accepted, "submission")))
    print(f"WAL per accepted submission (the whole cluster's): {wal[0] / accepted:.1f} records, "
          f"{wal[1] / accepted:.2f} full-page images, {wal[2] / accepted / 1024:.1f} kB; "
          f"{wal[3]} flushes and {wal[4]} checkpoints begun during the run")
    # aduan-stats numbers and counts what intake wrote (the hub; stat_reports and its
    # stats_generation trigger, migration 0032): its share of a submission too, and with --all the
    # other consumers' (verify's pre-check, notify's fan-out).
    roles = ("aduan_intake", "aduan_stats") + (("aduan_verify", "aduan_route", "aduan_notify") if args.all else ())
    for role in roles:
        for label, (calls, ms, plan_ms, rows) in zip(("sent by", "inside triggers and functions of"),
                                                     statements(url, role, accepted, args.top)):
            print(f"{label} {role}: {calls:.2f} statements, {ms:.3f} ms executing and {plan_ms:.3f} ms planning per "
                  f"accepted submission (calls | plans | exec ms | plan ms | rows | mean exec ms | max exec ms | buffers a call | statement)")
            for line in rows.splitlines():
                print("    " + line.replace("\t", " | "))
    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--pgbench-seconds", type=int, default=10)
    ap.add_argument("--connections", default="16,256")
    ap.add_argument("--rates", help="open-loop arrival rates (a second) instead of --connections")
    ap.add_argument("--all", action="store_true", help="every service (verify, route, notify too)")
    ap.add_argument("--open-connections", type=int, default=64, help="with --rates: the open loop's pool of connections")
    ap.add_argument("--no-contact", action="store_true",
                    help="with --rates: reporters without contact details, as in load_bench's sustained steps")
    ap.add_argument("--top", type=int, default=8)
    ap.add_argument("--intake-replicas", type=int, default=1,
                    help="intake replicas the gateway spreads submissions over (the batch figures are the first's)")
    ap.add_argument("--warm-seconds", type=int, default=3,
                    help="wrk at 16 connections before the runs; over 3, then ANALYZE and every group caught up")
    ap.add_argument("--gateway-env", action="append", default=[], metavar="NAME=VALUE",
                    help="a setting of aduan-gateway for the run (e.g. ADUAN_COMMAND_WINDOW=128)")
    ap.add_argument("--service-env", action="append", default=[], metavar="NAME=VALUE",
                    help="a setting of every service for the run (e.g. ADUAN_CONSUMER_RUN=100)")
    ap.add_argument("--setup-sql", action="append", default=[], metavar="SQL",
                    help="a statement run as the cluster's owner once the services have started (an index setting to try)")
    ap.add_argument("--perf", help="folder for perf.data of gateway, intake and PostgreSQL during the first run")
    ap.add_argument("--strace", help="folder for strace -f -T -tt of gateway and intake during the first run")
    ap.add_argument("--waits", action="store_true",
                    help="with --rates: sample what PostgreSQL's processes wait on, stall seconds beside the others")
    ap.add_argument("--explain", metavar="FILE",
                    help="the server's log, with the analyzed plans of a share of the statements, copied to FILE")
    ap.add_argument("--explain-ms", type=int, default=0, help="with --explain: the statements over this")
    ap.add_argument("--explain-sample", type=float, default=0.02, help="with --explain: the share of them logged")
    args = ap.parse_args()
    os.environ["ADUAN_BIN_DIR"] = os.path.join(os.path.abspath(args.build), "bin")
    sys.path.insert(0, os.path.join(lb.TOP, "tests", "harness"))
    import aduan_harness as harness
    for folder in (args.perf, args.strace):
        if folder:
            os.makedirs(folder, exist_ok=True)

    folder = tempfile.mkdtemp(prefix="aduan-pg-submit-", dir="/tmp")
    url = subprocess.run([lb.PG_CLUSTER, "start", folder], check=True, capture_output=True, text=True).stdout.strip()
    system = None
    try:
        if args.explain:
            lb.with_auto_explain(folder, args.explain_ms, args.explain_sample)
        lb.with_pg_stat_statements(folder, url, "all")
        base = lb.baselines(url, args.pgbench_seconds)
        insert16 = base["insert16"]
        print(f"pgbench insert 16 clients {insert16[0]:.0f} tps ({insert16[1]:.2f} ms); "
              f"load average {os.getloadavg()[0]:.2f}", flush=True)
        system = harness.System("submitbench", with_stats=True, lifecycle=args.all, notify=args.all, cluster_url=url,
                                intake_replicas=args.intake_replicas, gateway_env=dict(e.split("=", 1) for e in args.gateway_env),
                                counting_mail=True)
        for svc in [system.gateway, *system.intakes, *system.stats_replicas, *system.lifecycle_services(),
                    *system.notifiers]:
            svc.env["ADUAN_LOG_LEVEL"] = "warn"
            svc.env.update(e.split("=", 1) for e in args.service_env)
        system.start()
        for sql in args.setup_sql:
            lb.psql(system.db.url, sql)
        categories = lb.psql(system.db.url, "SELECT string_agg(code, ',') FROM (SELECT code FROM categories "
                                            "WHERE code LIKE '%.%' AND active ORDER BY code LIMIT 6) c")
        lua_args = ["21.71", categories]
        lb.wrk(system.http_port, os.path.join(HERE, "submit.lua"), 16, args.warm_seconds, lua_args)   # warm-up
        if args.warm_seconds > 3:
            # The state load_bench's open loop starts from: tables that have grown and been analyzed
            # (autovacuum would have by then), and every group caught up.
            lb.psql(system.db.url, "ANALYZE")
            groups = list(lb.GROUPS) if args.all else ["stats"]
            print(f"after {args.warm_seconds} s of warm-up: caught up in {lb.settle(system.db.url, groups, 300)} s",
                  flush=True)
        loads = ([(None, float(r)) for r in args.rates.split(",")] if args.rates
                 else [(int(c), None) for c in args.connections.split(",")])
        for i, (conns, rate) in enumerate(loads):
            one_run(args, system, url, folder, conns, rate, lua_args, insert16, i == 0)
    finally:
        if system:
            system.stop()
            if system.mail:
                print(f"the bench's SMTP server (aduan-bench-mail): {system.mail.counts}", flush=True)
        if args.explain and os.path.exists(lb.server_log(folder)):
            shutil.copyfile(lb.server_log(folder), args.explain)
        subprocess.run([lb.PG_CLUSTER, "destroy", folder], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
