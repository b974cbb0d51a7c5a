"""Hot-path latency at two sizes of history (issue 11: pre-check, claim, desk and tracking at 1M
reports within 1.5x of 10k). Runs tests/db/test_hot_path_plans at each size in a private
cluster (fsync off: loading a million rows with fsync on only makes the run longer; the queries
timed are reads rolled back) and prints, per statement, the medians (15 warm runs each: the
statement's pages are in shared_buffers or the page cache) and the pages each read of the
growing tables under EXPLAIN (ANALYZE, BUFFERS) side by side, with the load averages of each run.
The same pages at both sizes and a longer time point at the CPU or the cache, not at the data.

    /usr/bin/python3 tests/bench/hot_path_bench.py [BUILD_DIR] [SMALL] [LARGE] [LOG_DIR]

LOG_DIR, if given, keeps each size's full output (the plans of failures included).
"""
import os
import re
import subprocess
import sys
import tempfile

from bench_setup import TOP

PG_CLUSTER = os.path.join(TOP, "tests", "harness", "pg_cluster.sh")
MEDIAN = re.compile(r"hot path (.+?)\s+rows (\d+) median ([0-9.]+) ms")
PAGES = re.compile(r"hot path (.+?)\s+rows (\d+) touches (\d+) rows in (\d+) pages")


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def measured(binary, url, rows, log_dir):
    env = {**os.environ, "ADUAN_TEST_DB_URL": url, "ADUAN_HOT_PATH_ROWS": str(rows)}
    before = load_average()
    out = subprocess.run([binary], env=env, capture_output=True, text=True, timeout=3600)
    after = load_average()
    if log_dir:
        with open(os.path.join(log_dir, f"hot_path_{rows}.log"), "w") as f:
            f.write(out.stdout + out.stderr)
    if out.returncode != 0:
        sys.exit(f"test_hot_path_plans failed at {rows} rows:\n{out.stdout[-4000:]}")
    loaded = re.search(r"loaded \d+ .* in ([0-9.]+) s", out.stdout)
    print(f"{rows} reports loaded in {loaded.group(1) if loaded else '?'} s; "
          f"load average {before} before, {after} after", flush=True)
    medians = {m.group(1): float(m.group(3)) for m in MEDIAN.finditer(out.stdout)}
    pages = {m.group(1): (int(m.group(3)), int(m.group(4))) for m in PAGES.finditer(out.stdout)}
    return medians, pages


def shown(pages, name):
    return f"{pages[name][0]} rows {pages[name][1]} pages" if name in pages else "-"


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "build")
    small = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    large = int(sys.argv[3]) if len(sys.argv) > 3 else 1000000
    log_dir = sys.argv[4] if len(sys.argv) > 4 else None
    binary = os.path.join(build, "bin", "test_hot_path_plans")
    folder = tempfile.mkdtemp(prefix="aduan-pg-hotpath-", dir="/tmp")
    url = subprocess.run([PG_CLUSTER, "start", folder, "--fast"], check=True, capture_output=True,
                         text=True).stdout.strip()
    try:
        a, a_pages = measured(binary, url, small, log_dir)
        b, b_pages = measured(binary, url, large, log_dir)
    finally:
        subprocess.run([PG_CLUSTER, "destroy", folder], capture_output=True)
    print(f"{'statement':<14} {small:>10} rows {large:>10} rows  ratio  "
          f"{'touched at ' + str(small):<24} touched at {large}")
    for name in a:
        print(f"{name:<14} {a[name]:>10.3f} ms {b[name]:>10.3f} ms  {b[name] / a[name]:5.2f}  "
              f"{shown(a_pages, name):<24} {shown(b_pages, name)}")


if __name__ == "__main__":
    main()
