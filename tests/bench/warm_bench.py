"""What aduan-stats' warmer costs PostgreSQL under a steady submission load while nobody asks the
dashboard (brief "warm", issue 11; docs/performance.md).

Starts a private cluster (fsync on) with pg_stat_statements (track = top, track_planning on),
gateway + intake + stats, offers RATE submissions a second for SECONDS (open_loop.py) after a
short warm-up, and prints the statements aduan-stats' role sent, in three classes: the
statistics documents (what the warmer computes: stat_rollup, survey_responses, the institutions of
a level), the generation it looks at, and the rest (the hub's numbering, the counting); each with
calls, planning and execution ms a second and per call; the documents' top statements; the
documents computed (aduan_stats_documents_total); and the CPU of aduan-stats and of every
PostgreSQL process a second, with the load average before and after (the machine is shared: run
main's build and the branch's one right after the other).

ADUAN_STATS_MAX_AGE is 60 and ADUAN_STATS_WARM_EVERY 5 (the defaults of a deployment) unless
--stats-env says otherwise; the test harness runs aduan-stats with MAX_AGE 0, which makes
WARM_EVERY 0 (the warmer computes again as soon as the facts have moved), as submit_bench.py's
runs did.

    /usr/bin/python3 tests/bench/warm_bench.py BUILD_DIR [--rate 40] [--seconds 60]
        [--stats-env NAME=VALUE ...]
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
import load_bench as lb  # noqa: E402
import open_loop  # noqa: E402
from cpu_profile import cpu_seconds, postgres_pids  # noqa: E402

# The statements of the documents (services/stats/stats_views.c), of the generation
# (stats_answer.c) and everything else aduan-stats' role sends.
CLASS = ("CASE WHEN query ~ '^(WITH f AS|WITH s AS \\(SELECT r\\.answers|SELECT code FROM institutions WHERE kind)' "
         "THEN 'documents' "
         "WHEN query ~ 'FROM stats_generation' THEN 'generation' ELSE 'other' END")
ROLE = "JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = 'aduan_stats'"


def documents_computed(port):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    m = re.search(r'^aduan_stats_documents_total\{source="computed"\} ([0-9.e+-]+)$', text, re.M)
    return float(m.group(1)) if m else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--rate", type=float, default=40)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--stats-env", action="append", default=[], metavar="NAME=VALUE")
    args = ap.parse_args()
    os.environ["ADUAN_BIN_DIR"] = os.path.join(os.path.abspath(args.build), "bin")
    sys.path.insert(0, os.path.join(lb.TOP, "tests", "harness"))
    import aduan_harness as harness

    folder = tempfile.mkdtemp(prefix="aduan-pg-warm-", dir="/tmp")
    url = subprocess.run([lb.PG_CLUSTER, "start", folder], check=True, capture_output=True, text=True).stdout.strip()
    system = None
    try:
        lb.with_pg_stat_statements(folder, url, "top")
        system = harness.System("warmbench", with_stats=True, cluster_url=url)
        stats_env = {"ADUAN_STATS_MAX_AGE": "60", "ADUAN_STATS_WARM_EVERY": "5",
                     **dict(e.split("=", 1) for e in args.stats_env)}
        for svc in [system.gateway, *system.intakes, *system.stats_replicas]:
            svc.env["ADUAN_LOG_LEVEL"] = "warn"
        system.stats.env.update(stats_env)
        system.start()
        categories = lb.psql(system.db.url, "SELECT string_agg(code, ',') FROM (SELECT code FROM categories "
                                            "WHERE code LIKE '%.%' AND active ORDER BY code LIMIT 6) c").split(",")
        open_loop.run(system.http_port, args.rate, 5, ["21.71"], categories)   # warm-up
        stats_pid, admin = system.stats.proc.pid, system.stats.admin_port
        lb.psql(url, "SELECT pg_stat_statements_reset()")
        pids = postgres_pids(folder)
        cpu0 = (cpu_seconds(stats_pid), {p: cpu_seconds(p) for p in pids})
        computed0, load0, started = documents_computed(admin), os.getloadavg(), time.monotonic()
        run = open_loop.run(system.http_port, args.rate, args.seconds, ["21.71"], categories)
        seconds = time.monotonic() - started
        load1, computed1 = os.getloadavg(), documents_computed(admin)
        pg_now = {p: cpu_seconds(p) for p in postgres_pids(folder)}
        stats_cpu = cpu_seconds(stats_pid) - cpu0[0]
        pg_cpu = sum(s - cpu0[1].get(p, 0.0) for p, s in pg_now.items())
        print(f"stats env {stats_env}; offered {args.rate:g}/s for {args.seconds} s: accepted "
              f"{run['ok_per_s']:.1f}/s, p50 {run['p50_ms']:.1f} ms, p99 {run['p99_ms']:.1f} ms; load average "
              f"{load0[0]:.2f} before, {load1[0]:.2f} after ({seconds:.1f} s)")
        print(f"documents computed: {computed1 - computed0:.0f} ({(computed1 - computed0) / seconds:.2f}/s)")
        print(f"CPU (cores busy): aduan-stats {stats_cpu / seconds:.3f}, every PostgreSQL process "
              f"{pg_cpu / seconds:.3f}")
        print("aduan-stats' statements by class | calls/s | plan ms/s | exec ms/s | plan ms/call | exec ms/call")
        rows = lb.psql(url, f"SELECT {CLASS}, sum(calls), sum(total_plan_time), sum(total_exec_time) "
                            f"FROM pg_stat_statements s {ROLE} AND toplevel GROUP BY 1 ORDER BY 1")
        for line in rows.splitlines():
            name, calls, plan, execute = line.split("\t")
            calls, plan, execute = int(calls), float(plan), float(execute)
            print(f"    {name} | {calls / seconds:.2f} | {plan / seconds:.1f} | {execute / seconds:.1f} | "
                  f"{plan / max(calls, 1):.2f} | {execute / max(calls, 1):.2f}")
        print("documents' statements: calls | plan ms | exec ms | mean plan ms | mean exec ms | statement")
        top = lb.psql(url, "SELECT calls, round(total_plan_time::numeric, 1), round(total_exec_time::numeric, 1), "
                           "round(mean_plan_time::numeric, 2), round(mean_exec_time::numeric, 2), "
                           "left(regexp_replace(query, '\\s+', ' ', 'g'), 90) FROM pg_stat_statements s "
                           f"{ROLE} AND toplevel AND {CLASS} = 'documents' ORDER BY total_plan_time DESC LIMIT 8")
        for line in top.splitlines():
            print("    " + line.replace("\t", " | "))
    finally:
        if system:
            system.stop()
        subprocess.run([lb.PG_CLUSTER, "destroy", folder], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
