"""What every benchmark script shares: its arguments ([BUILD_DIR] [REPORTS]), the harness on the
import path with the build's binaries, and how a set of latencies is printed."""
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "harness"))


def arguments(default_reports):
    """(build folder, number of reports) from the command line; points the harness at the build."""
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "build")
    reports = int(sys.argv[2]) if len(sys.argv) > 2 else default_reports
    os.environ.setdefault("ADUAN_BIN_DIR", os.path.join(build, "bin"))
    return build, reports


def describe(name, samples_ms):
    samples = sorted(samples_ms)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    print(f"{name}: n={len(samples)} median {statistics.median(samples):.2f} ms, p99 {p99:.2f} ms, "
          f"max {samples[-1]:.2f} ms")
