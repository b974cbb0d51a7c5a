"""Hot-path latency at two sizes of history (issue 11: pre-check, claim, desk and tracking at 1M
reports within 1.5x of 10k). Runs tests/db/test_hot_path_plans at each size in a private
cluster (fsync off: loading a million rows with fsync on only makes the run longer; the queries
timed are reads rolled back) and prints the medians side by side.

    /usr/bin/python3 tests/bench/hot_path_bench.py [BUILD_DIR] [SMALL] [LARGE]
"""
import os
import re
import subprocess
import sys
import tempfile

from bench_setup import TOP

PG_CLUSTER = os.path.join(TOP, "tests", "harness", "pg_cluster.sh")
LINE = re.compile(r"hot path (\S+)\s+rows (\d+) median ([0-9.]+) ms")


def medians(binary, url, rows):
    env = {**os.environ, "ADUAN_TEST_DB_URL": url, "ADUAN_HOT_PATH_ROWS": str(rows)}
    out = subprocess.run([binary], env=env, capture_output=True, text=True, timeout=3600)
    if out.returncode != 0:
        sys.exit(f"test_hot_path_plans failed at {rows} rows:\n{out.stdout[-4000:]}")
    loaded = re.search(r"loaded \d+ .* in ([0-9.]+) s", out.stdout)
    print(f"{rows} reports loaded in {loaded.group(1) if loaded else '?'} s", flush=True)
    return {m.group(1): float(m.group(3)) for m in LINE.finditer(out.stdout)}


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "build")
    small = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    large = int(sys.argv[3]) if len(sys.argv) > 3 else 1000000
    binary = os.path.join(build, "bin", "test_hot_path_plans")
    folder = tempfile.mkdtemp(prefix="aduan-pg-hotpath-", dir="/tmp")
    url = subprocess.run([PG_CLUSTER, "start", folder, "--fast"], check=True, capture_output=True,
                         text=True).stdout.strip()
    try:
        a = medians(binary, url, small)
        b = medians(binary, url, large)
    finally:
        subprocess.run([PG_CLUSTER, "destroy", folder], capture_output=True)
    print(f"{'statement':<10} {small:>10} rows {large:>10} rows  ratio (target <= 1.5)")
    for name in a:
        print(f"{name:<10} {a[name]:>10.3f} ms {b[name]:>10.3f} ms  {b[name] / a[name]:.2f}")


if __name__ == "__main__":
    main()
