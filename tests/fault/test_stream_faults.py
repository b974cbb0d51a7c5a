"""Fault tests of the event stream (DESIGN.md properties 1-4): kill -9 and restarts under load,
then count exactly. Each test is bounded in time."""
import os
import random
import sys
import threading
import time
import unittest

from aduan_harness import Cluster, System, free_port, read_jsonl, valid_report

N_REPORTS = int(os.environ.get("ADUAN_FAULT_REPORTS", "2000"))


def submit_many(system, count, accepted, threads=4, deadline_s=240):
    """Submits `count` reports from several threads, retrying 503s (the service said nothing was
    taken, or the client may retry with the same key). Records every 201's tracking id."""
    lock = threading.Lock()
    todo = list(range(count))
    deadline = time.monotonic() + deadline_s

    def worker():
        while time.monotonic() < deadline:
            with lock:
                if not todo:
                    return
                n = todo.pop()
            key = {"Idempotency-Key": f"stream-fault-{os.getpid()}-{n:08d}"}
            while time.monotonic() < deadline:
                try:
                    status, _, doc = system.json("POST", "/api/v1/reports",
                                                 valid_report(title=f"Laporan uji nomor {n}"), key)
                except OSError:
                    status, doc = None, None
                if status == 201:
                    with lock:
                        accepted[n] = doc["tracking_id"]
                    break
                time.sleep(0.05)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class StreamFaults(unittest.TestCase):
    def setUp(self):
        self.cluster = None
        self.system = None

    def tearDown(self):
        failed = any(err for _, err in (self._outcome.result.errors + self._outcome.result.failures))
        if self.system:
            self.system.stop(failed=failed)
        if self.cluster:
            self.cluster.destroy()

    def assert_stream_complete(self, path, accepted_ids):
        events = read_jsonl(path)
        seqs = [e["seq"] for e in events]
        self.assertEqual(seqs, list(range(1, len(seqs) + 1)), "gap, repeat or disorder in the stream")
        ids = [e["id"] for e in events]
        self.assertEqual(len(ids), len(set(ids)))
        tracked = {e.get("report") for e in events if e["type"] == "report.submitted"}
        self.assertEqual(set(accepted_ids) - tracked, set(), "a report that got a 201 has no event")

    def test_hub_killed_repeatedly_while_reports_arrive(self):
        self.system = System("hubkill", with_stats=True).start()
        tail, path = self.system.tail("--from", "0")
        accepted = {}
        submitter = threading.Thread(target=submit_many, args=(self.system, N_REPORTS, accepted))
        submitter.start()
        # Kills driven by progress, not by the clock, so all three land while reports arrive.
        for cycle in range(1, 4):
            wait_for(lambda: len(accepted) >= cycle * N_REPORTS // 5, 120, f"submissions before kill {cycle}")
            self.system.stats.kill()
            time.sleep(random.uniform(0.1, 0.5))
            self.system.stats.start()
        submitter.join()
        self.assertEqual(len(accepted), N_REPORTS)
        self.assertEqual(self.system.stats.starts, 4)
        wait_for(lambda: len(read_jsonl(path)) >= N_REPORTS, 90, "the tail to print every event")
        self.assertIsNone(tail.poll(), "aduan-tail died")
        self.assert_stream_complete(path, accepted.values())
        self.assertEqual(len(read_jsonl(path)), N_REPORTS)

    def test_consumer_group_member_killed_mid_stream(self):
        self.system = System("groupkill", with_stats=True).start()
        members = [self.system.consumer("aduan-probe-consumer", f"probe{i}", {"PROBE_MEMBER": f"m{i}"})
                   for i in range(2)]
        for m in members:
            m.start()
        accepted = {}
        submitter = threading.Thread(target=submit_many, args=(self.system, N_REPORTS, accepted))
        submitter.start()
        wait_for(lambda: self.system.db.count("probe_work") > N_REPORTS // 4, 120, "work to start")
        members[0].kill()
        time.sleep(0.5)
        members[0].start()
        submitter.join()
        self.assertEqual(len(accepted), N_REPORTS)
        wait_for(lambda: self.system.db.count("probe_work") >= N_REPORTS, 120, "all work done")
        time.sleep(1.0)  # anything done twice would show up now
        db = self.system.db
        self.assertEqual(db.count("probe_work"), N_REPORTS)
        self.assertEqual(int(db.scalar("SELECT count(DISTINCT event_id) FROM probe_work")), N_REPORTS)
        self.assertEqual(int(db.scalar("SELECT count(DISTINCT member) FROM probe_work")), 2)
        head = int(db.scalar("SELECT last_seq FROM event_counter"))
        self.assertEqual(head, N_REPORTS)
        wait_for(lambda: int(db.scalar(
            "SELECT min(seq) FROM consumer_positions WHERE group_name = 'probe'")) == head,
            30, "every partition position to reach the head")

    def test_two_hubs_serve_one_stream_and_either_may_die(self):
        self.system = System("twohubs", with_stats=True).start()
        second_stream = f"tcp://127.0.0.1:{free_port()}"
        second_replay = f"tcp://127.0.0.1:{free_port()}"
        second = self.system.consumer("aduan-stats", "stats2", {
            "ADUAN_STREAM_BIND": second_stream, "ADUAN_REPLAY_BIND": second_replay,
            "ADUAN_STATS_QUERY_BIND": f"tcp://127.0.0.1:{free_port()}"}).start()
        both_streams = f"{self.system.stream_endpoint},{second_stream}"
        both_replays = f"{self.system.replay_endpoint},{second_replay}"
        tail, path = self.system.tail("--from", "0", "--endpoints", both_streams, "--replay", both_replays)
        accepted = {}
        total = N_REPORTS // 4
        submitter = threading.Thread(target=submit_many, args=(self.system, total, accepted))
        submitter.start()
        wait_for(lambda: len(read_jsonl(path)) > total // 4, 60, "events to flow")
        self.system.stats.kill()  # the first hub dies for good; the second carries on
        submitter.join()
        wait_for(lambda: len(read_jsonl(path)) >= total, 60, "every event through the surviving hub")
        self.assertIsNone(tail.poll())
        self.assert_stream_complete(path, accepted.values())
        self.assertEqual(len(read_jsonl(path)), total)
        self.assertIsNone(second.proc.poll())

    def test_consumers_keep_going_without_the_hub_and_rejoin(self):
        self.system = System("nohub", with_stats=True).start()
        member = self.system.consumer("aduan-probe-consumer", "probe0", {"PROBE_MEMBER": "m0"}).start()
        db = self.system.db
        half = N_REPORTS // 8
        self.system.stats.kill()
        accepted = {}
        submit_many(self.system, half, accepted)
        wait_for(lambda: db.count("probe_work") >= half, 60, "work done from the log while the hub is down")
        self.system.stats.start()
        submit_many(self.system, 2 * half, accepted)
        wait_for(lambda: db.count("probe_work") >= 2 * half, 60, "work done after the hub returned")
        time.sleep(1.0)
        self.assertEqual(db.count("probe_work"), 2 * half)
        self.assertEqual(int(db.scalar("SELECT count(DISTINCT event_id) FROM probe_work")), 2 * half)
        status, metrics = member.admin_get("/metrics")
        self.assertIn("aduan_consumer_partitions_owned{group=\"probe\"} 8", metrics)

    def test_postgres_restarted_mid_run(self):
        self.cluster = Cluster("pgrestart")
        self.system = System("pgrestart", with_stats=True, cluster_url=self.cluster.url).start()
        member = self.system.consumer("aduan-probe-consumer", "probe0", {"PROBE_MEMBER": "m0"}).start()
        tail, path = self.system.tail("--from", "0")
        total = N_REPORTS // 4
        accepted = {}
        submitter = threading.Thread(target=submit_many, args=(self.system, total, accepted))
        submitter.start()
        wait_for(lambda: len(accepted) > total // 4, 60, "submissions to flow")
        self.cluster.stop()
        time.sleep(1.0)
        self.cluster.start()
        submitter.join()
        self.assertEqual(len(accepted), total)
        db = self.system.db
        wait_for(lambda: db.count("probe_work") >= total, 120, "the consumer to catch up")
        wait_for(lambda: len(read_jsonl(path)) >= total, 120, "the tail to catch up")
        self.assertEqual(db.count("reports"), total)
        self.assertEqual(db.count("events"), total)
        self.assertEqual(db.count("probe_work"), total)
        self.assertEqual(int(db.scalar("SELECT count(DISTINCT event_id) FROM probe_work")), total)
        self.assert_stream_complete(path, accepted.values())
        for svc in (self.system.gateway, self.system.intake, self.system.stats, member):
            self.assertIsNone(svc.proc.poll(), f"{svc.name} died")
            status, body = svc.admin_get("/readyz")
            self.assertEqual(status, 200, f"{svc.name} not ready again: {body}")


if __name__ == "__main__":
    unittest.main(verbosity=2, argv=[sys.argv[0]] + sys.argv[1:])
