"""load_bench.insert16_again takes the 16-client insert baseline once more in the middle of a run:
its table must be gone afterwards (left in place, autovacuum works on it in a later phase, on the
cores that phase measures), and the autovacuum workers it reports are those running before its own
table's rows could set one going."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import load_bench  # noqa: E402


class Cluster:
    """What insert16_again asks of the cluster, in order."""

    def __init__(self, workers):
        self.workers = workers
        self.calls = []

    def psql(self, url, sql, stdin=None):
        if "autovacuum worker" in sql:
            self.calls.append("count workers")
            return str(self.workers)
        if sql.startswith("CREATE TABLE bench_rows"):
            self.calls.append("create")
            return ""
        if sql.startswith("DROP TABLE bench_rows"):
            self.calls.append("drop")
            return ""
        raise AssertionError("a statement insert16_again was not expected to send: " + sql)

    def pgbench(self, url, script, clients, seconds):
        self.calls.append(f"pgbench {clients} clients {seconds} s")
        return 8123.0, 1.97


class InsertAgain(unittest.TestCase):
    def run_with(self, cluster):
        saved = load_bench.psql, load_bench.pgbench
        load_bench.psql, load_bench.pgbench = cluster.psql, cluster.pgbench
        try:
            return load_bench.insert16_again("postgresql://unused", 3)
        finally:
            load_bench.psql, load_bench.pgbench = saved

    def test_reports_the_rate_and_the_workers_running_before_it(self):
        cluster = Cluster(workers=2)
        self.assertEqual(self.run_with(cluster), (8123.0, 1.97, 2))
        self.assertEqual(cluster.calls, ["count workers", "create", "pgbench 16 clients 3 s", "drop"])


if __name__ == "__main__":
    unittest.main()
