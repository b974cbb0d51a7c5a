"""cpu_profile says where the cores went in a benchmark phase, and a missed target's explanation
rests on it: each process's CPU counted once, from the right fields of /proc, PostgreSQL's backends
under the service whose role they serve, processes that ended during the phase not lost, and the
CPU a unit a target rate leaves."""
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import cpu_profile  # noqa: E402


def spin(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def made_sample(groups, reaped=0.0, bench=0.0, machine=0.0, wall=0.0):
    sample = cpu_profile.Sample.__new__(cpu_profile.Sample)
    sample.groups, sample.postmaster, sample.reaped = groups, 1, reaped
    sample.bench, sample.machine, sample.wall = bench, machine, wall
    return sample


class Titles(unittest.TestCase):
    def test_a_backend_counts_for_the_service_of_its_role(self):
        self.assertEqual(cpu_profile.postgres_group("postgres: aduan_route aduan [local] idle"),
                         "postgres for aduan-route")
        self.assertEqual(cpu_profile.postgres_group("postgres: aduan_intake aduan 127.0.0.1(5000) COMMIT"),
                         "postgres for aduan-intake")

    def test_the_owner_and_the_servers_own_processes_count_apart(self):
        for process_title in ("postgres: aduan aduan [local] SELECT", "postgres: walwriter",
                              "postgres: autovacuum worker aduan", "/usr/lib/postgresql/15/bin/postgres -D x", ""):
            self.assertEqual(cpu_profile.postgres_group(process_title), cpu_profile.OWN_POSTGRES, process_title)


class Counting(unittest.TestCase):
    def test_a_process_and_its_reaped_children_are_read_from_proc(self):
        me, before, reaped = os.getpid(), cpu_profile.cpu_seconds(os.getpid()), cpu_profile.reaped_seconds(os.getpid())
        spin(0.3)
        subprocess.run([sys.executable, "-c", "import time\nend = time.process_time() + 0.3\n"
                        "while time.process_time() < end: pass"], check=True)
        self.assertGreaterEqual(cpu_profile.cpu_seconds(me) - before, 0.25)
        self.assertLess(cpu_profile.cpu_seconds(me) - before, 1.0)
        self.assertGreaterEqual(cpu_profile.reaped_seconds(me) - reaped, 0.25)
        self.assertEqual(cpu_profile.cpu_seconds(2 ** 22 + 1), 0.0)

    def test_the_machine_counts_what_a_process_spent(self):
        busy = cpu_profile.machine_busy_seconds()
        spin(0.3)
        self.assertGreaterEqual(cpu_profile.machine_busy_seconds() - busy, 0.25)

    def test_a_phase_counts_what_was_spent_in_it(self):
        before = made_sample({"aduan-route": {10: 5.0}, "postgres for aduan-route": {20: 7.0, 21: 1.0}},
                             reaped=3.0, bench=2.0)
        # 21 ended during the phase after 1.5 s in all (0.5 s in the phase); 22 started and ended
        # in it (0.25 s); 23 started in it and is still running (0.75 s).
        after = made_sample({"aduan-route": {10: 6.0}, "postgres for aduan-route": {20: 8.0, 23: 0.75}},
                            reaped=3.0 + 1.5 + 0.25, bench=2.5)
        spent = cpu_profile.used(before, after)
        self.assertAlmostEqual(spent["aduan-route"], 1.0)
        self.assertAlmostEqual(spent["postgres for aduan-route"], 1.75)
        self.assertAlmostEqual(spent[cpu_profile.ENDED_POSTGRES], 0.75)
        self.assertAlmostEqual(spent[cpu_profile.BENCH], 0.5)


class Table(unittest.TestCase):
    def test_each_group_a_unit_and_the_budget_of_the_target(self):
        before = made_sample({"aduan-route": {10: 0.0}, "postgres for aduan-route": {20: 0.0},
                              cpu_profile.MAIL: {30: 0.0}})
        after = made_sample({"aduan-route": {10: 1.0}, "postgres for aduan-route": {20: 3.0},
                             cpu_profile.MAIL: {30: 0.2}}, bench=0.5, machine=4.5, wall=10.0)
        lines = cpu_profile.table("route alone", before, after, 10000, "event", target_rate=5000)
        cores = os.cpu_count()
        self.assertEqual(lines[0], f"route alone: 10000 events in 10.0 s on {cores} cores; 5000/s would leave "
                                   f"at most {1000 * cores / 5000:.3f} ms of CPU per event")
        rows = {line.split(" | ")[0][2:]: line.split(" | ")[1:] for line in lines[3:]}
        self.assertEqual(rows["postgres for aduan-route"], ["0.300", "0.30 |"])
        self.assertEqual(rows["aduan-route"], ["0.100", "0.10 |"])
        self.assertEqual(rows["postgres, all of its processes"], ["0.300", "0.30 |"])
        self.assertEqual(rows[cpu_profile.MAIL], ["0.020", "0.02 |"])
        # neither the bench nor its SMTP server is aduan's
        self.assertEqual(rows["aduan and postgres (all but the bench and its SMTP server)"], ["0.400", "0.40 |"])
        self.assertEqual(rows["all of the above"], ["0.470", "0.47 |"])
        self.assertEqual(rows["the machine (/proc/stat: every process)"], ["0.450", "0.45 |"])
        self.assertEqual(list(rows)[:2], ["postgres for aduan-route", "aduan-route"])   # the largest first

    def test_a_phase_without_a_target_names_no_budget(self):
        sample = made_sample({"aduan-gateway": {1: 0.0}})
        self.assertNotIn("would leave", cpu_profile.table("open loop", sample, sample, 5, "submission")[0])


class Live(unittest.TestCase):
    """A sample of running processes: a child of this test as the service, and a sleeping one as
    the postmaster the folder names."""

    def test_a_service_spinning_is_counted_for_it(self):
        folder = os.path.join("/tmp", f"cpu-profile-test-{os.getpid()}")
        os.makedirs(os.path.join(folder, "data"), exist_ok=True)
        postmaster = subprocess.Popen(["sleep", "30"])
        with open(os.path.join(folder, "data", "postmaster.pid"), "w") as f:
            f.write(f"{postmaster.pid}\n")
        child = subprocess.Popen([sys.executable, "-c", "import sys, time\nsys.stdin.readline()\n"
                                  "end = time.process_time() + 0.4\nwhile time.process_time() < end: pass\n"
                                  "sys.stdin.readline()"], stdin=subprocess.PIPE)
        try:
            before = cpu_profile.Sample({"aduan-spin": [child.pid]}, folder)
            child.stdin.write(b"go\n")
            child.stdin.flush()
            time.sleep(0.8)
            after = cpu_profile.Sample({"aduan-spin": [child.pid]}, folder)
        finally:
            child.communicate(b"done\n", timeout=10)
            postmaster.kill()
            postmaster.wait()
            os.remove(os.path.join(folder, "data", "postmaster.pid"))
            os.rmdir(os.path.join(folder, "data"))
            os.rmdir(folder)
        spent = cpu_profile.used(before, after)
        self.assertGreaterEqual(spent["aduan-spin"], 0.35)
        self.assertLess(spent["aduan-spin"], 0.6)
        self.assertGreaterEqual(after.wall - before.wall, 0.8)


if __name__ == "__main__":
    unittest.main()
