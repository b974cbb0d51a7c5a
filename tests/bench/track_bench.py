"""GET tracking and aduan-intake's memory alone, the two parts of issue 11 that need neither the
consumers nor the hub (load_bench.py measures everything, in 6 to 10 minutes):

  1. a private PostgreSQL cluster (fsync on) with pgbench's select by primary key at 16 clients,
     the baseline the tracking target is a ratio of;
  2. aduan-intake, aduan-gateway and aduan-stats (the event hub, whose stream ends the views the
     gateway keeps); the RSS of intake and the gateway idle;
  3. reports made through HTTP (wrk, submit.lua) for --fill seconds, then GET tracking of them
     (wrk, track.lua, 16 connections) for --seconds, with `perf record -g` of both services
     meanwhile when --perf names a folder;
  4. the gateway's RSS at the end of tracking and idle 4 s later (what its kept views held);
  5. one photo uploaded: intake's RSS after its first re-encoding.

    /usr/bin/python3 tests/bench/track_bench.py BUILD_DIR [--seconds 15] [--fill 5] [--perf DIR]
        [--http-threads N] [--tracking-cache-ms MS] [--submitting N]

--perf also counts, with `perf stat`, each service's context switches and system calls per request.
"""
import argparse
import os
import shutil
import subprocess
import sys
import threading
import tempfile
import struct
import time
import zlib

import load_bench as bench

BENCH_ROWS = ("CREATE TABLE bench_rows AS SELECT i AS id, md5(i::text) AS tracking_id, "
              "'Jalan berlubang di depan pasar' AS title, repeat('x', 450) AS body FROM generate_series(1, 100000) i; "
              "ALTER TABLE bench_rows ADD PRIMARY KEY (id)")


def multipart(data):
    boundary = "aduanbenchboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"foto.png\"\r\n"
            f"Content-Type: image/png\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def gradient_png(width, height):
    """A PNG photo-sized picture (no image library on the test side)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (x * 255 // width, y * 255 // height, 128))
                    for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def upload_photo(system, harness):
    """One report and one 1600 x 1200 photo for it; the upload's status."""
    body, headers = multipart(gradient_png(1600, 1200))
    status, _, doc = system.json("POST", "/api/v1/reports", harness.valid_report())
    headers["Authorization"] = f"Bearer {doc['reporter_token']}"
    status, _, _ = system.request("POST", f"/api/v1/reports/{doc['tracking_id']}/attachments", body, headers)
    return status


def perf_record(pid, out):
    return subprocess.Popen(["perf", "record", "-g", "-F", "499", "-p", str(pid), "-o", out],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def perf_stat(pid, out):
    """Context switches (each a thread that slept and was woken, or was preempted) and system calls."""
    return subprocess.Popen(["perf", "stat", "-x", ",", "-e", "context-switches,raw_syscalls:sys_enter",
                             "-p", str(pid), "-o", out], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def per_request(path, requests):
    """perf stat's counts in `path`, each divided by the requests wrk made."""
    counts = {}
    with open(path) as f:
        for line in f:
            fields = line.strip().split(",")
            if len(fields) > 2 and fields[0].isdigit():
                counts[fields[2]] = int(fields[0]) / max(requests, 1)
    return counts


def submitting(system, args, categories):
    """With --submitting N: N connections of submissions during the tracking run, on a thread
    (their events end the gateway's kept views of the new reports); wrk's figures in .result."""
    worker = threading.Thread(target=lambda: setattr(worker, "result", bench.wrk(
        system.http_port, os.path.join(bench.HERE, "submit.lua"), args.submitting, args.seconds,
        ["21.71", categories])))
    worker.result = None
    if args.submitting:
        worker.start()
    return worker


def tracking_run(system, args, ids_file):
    """wrk's figures of GET tracking, under perf record or perf stat when asked."""
    recorders, stats = [], {}
    services = (("gateway", system.gateway), ("intake", system.intakes[0]))
    if args.perf:
        os.makedirs(args.perf, exist_ok=True)
        recorders = [perf_record(svc.proc.pid, os.path.join(args.perf, f"{name}.data")) for name, svc in services]
        stats = {name: os.path.join(args.perf, f"{name}.stat") for name, _ in services}
        recorders += [perf_stat(svc.proc.pid, stats[name]) for name, svc in services]
        time.sleep(1)
    try:
        track = bench.wrk(system.http_port, os.path.join(bench.HERE, "track.lua"), 16, args.seconds, [ids_file])
    finally:
        for r in recorders:
            r.send_signal(2)
            r.wait()
    track["per_request"] = {name: per_request(path, track["requests"]) for name, path in stats.items()}
    return track


def run(args, url, harness, folder):
    bench.psql(url, BENCH_ROWS)
    select = bench.pgbench(url, "\\set id random(1, 100000)\nSELECT * FROM bench_rows WHERE id = :id;\n", 16,
                           args.pgbench_seconds)
    system = harness.System("trackbench", cluster_url=url, with_stats=True)
    for svc in (system.gateway, *system.intakes, system.stats):
        svc.env["ADUAN_LOG_LEVEL"] = "warn"
    if args.tracking_cache_ms is not None:
        system.gateway.env["ADUAN_TRACKING_CACHE_MS"] = str(args.tracking_cache_ms)
    if args.http_threads:
        system.gateway.env["ADUAN_HTTP_THREADS"] = str(args.http_threads)
    system.start()
    try:
        time.sleep(3)
        idle = {"gateway": bench.rss_kb(system.gateway.proc.pid), "intake": bench.rss_kb(system.intakes[0].proc.pid)}
        categories = bench.psql(system.db.url, "SELECT string_agg(code, ',') FROM (SELECT code FROM categories "
                                               "WHERE code LIKE '%.%' ORDER BY code LIMIT 6) c")
        bench.wrk(system.http_port, os.path.join(bench.HERE, "submit.lua"), 16, args.fill, ["21.71", categories])
        ids_file = os.path.join(folder, "tracking-ids")
        with open(ids_file, "w") as f:
            f.write(bench.psql(system.db.url, "SELECT tracking_id FROM reports ORDER BY random() LIMIT 5000") + "\n")
        reports = bench.psql(system.db.url, "SELECT count(*) FROM reports")
        submissions = submitting(system, args, categories)
        track = tracking_run(system, args, ids_file)
        if args.submitting:
            submissions.join()
        under_load = bench.rss_kb(system.intakes[0].proc.pid)
        gateway_busy = bench.rss_kb(system.gateway.proc.pid)
        time.sleep(4)   # the gateway's idle spell (2 s) and its next look (every second)
        gateway_idle = bench.rss_kb(system.gateway.proc.pid)
        uploaded = upload_photo(system, harness)
        after_upload = bench.rss_kb(system.intakes[0].proc.pid)
        print(f"load average {os.getloadavg()[0]:.1f} (1 min) at the end; {reports} reports")
        print(f"pgbench select by key, 16 clients: {select[0]:.0f} tps, {select[1]:.2f} ms")
        print(f"GET tracking, 16 conn.: {track['ok_per_s']:.0f} ok/s ({track['refused']} refused, "
              f"{track['timeout']} time-outs), p50 {track['p50_us'] / 1000:.1f} ms, p99 {track['p99_us'] / 1000:.1f} ms"
              f" | {bench.ratio(track['ok_per_s'], select[0])} of pgbench")
        if submissions.result:
            print(f"meanwhile {args.submitting} conn. of submissions: {submissions.result['ok_per_s']:.0f} accepted/s "
                  f"({submissions.result['refused']} refused), p50 {submissions.result['p50_us'] / 1000:.1f} ms")
        for name, counts in track["per_request"].items():
            print(f"{name} per request: " + ", ".join(f"{k} {v:.2f}" for k, v in counts.items()))
        print(f"distinct tracking ids asked: {len(open(ids_file).read().split())}; the gateway's kept views: "
              f"{bench.tracking_cache_counts(system.gateway)}")
        print(f"RSS idle: gateway {idle['gateway'] / 1024:.1f} MB, intake {idle['intake'] / 1024:.1f} MB; intake "
              f"after tracking {under_load / 1024:.1f} MB, after one photo (HTTP {uploaded}) {after_upload / 1024:.1f} MB; "
              f"gateway at the end of tracking {gateway_busy / 1024:.1f} MB, idle 4 s later {gateway_idle / 1024:.1f} MB")
    finally:
        system.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--seconds", type=int, default=15, help="length of the tracking run")
    ap.add_argument("--fill", type=int, default=5, help="seconds of submissions that make the reports tracked")
    ap.add_argument("--pgbench-seconds", type=int, default=10)
    ap.add_argument("--http-threads", type=int, help="the gateway's ADUAN_HTTP_THREADS (default: the gateway's own)")
    ap.add_argument("--tracking-cache-ms", type=int, help="the gateway's ADUAN_TRACKING_CACHE_MS (0: keep no views)")
    ap.add_argument("--submitting", type=int, default=0,
                    help="connections submitting reports during the tracking run (0: none)")
    ap.add_argument("--perf", help="folder for perf.data of gateway and intake during the tracking run")
    args = ap.parse_args()
    os.environ["ADUAN_BIN_DIR"] = os.path.join(os.path.abspath(args.build), "bin")
    sys.path.insert(0, os.path.join(bench.TOP, "tests", "harness"))
    import aduan_harness as harness

    folder = tempfile.mkdtemp(prefix="aduan-pg-trackbench-", dir="/tmp")
    url = subprocess.run([bench.PG_CLUSTER, "start", folder], check=True, capture_output=True, text=True).stdout.strip()
    try:
        run(args, url, harness, folder)
    finally:
        subprocess.run([bench.PG_CLUSTER, "destroy", folder], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
