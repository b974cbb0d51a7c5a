"""End to end: the event stream as analytics consumers see it (aduan-tail, the Python example)."""
import json
import os
import subprocess
import sys
import time
import unittest

from aduan_harness import System, SystemTestCase, read_jsonl, valid_report

EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "examples",
                       "stream_consumer.py")


class Stream(SystemTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("stream", with_stats=True).start()
        cls.receipts = []
        for n in range(5):
            status, _, doc = cls.sys.json("POST", "/api/v1/reports", valid_report(title=f"Laporan aliran {n}"))
            assert status == 201, doc
            cls.receipts.append(doc["tracking_id"])

    def tail(self, *args, timeout=30):
        proc, path = self.sys.tail(*args)
        proc.wait(timeout)
        self.assertEqual(proc.returncode, 0)
        return read_jsonl(path)

    def wait_lines(self, path, n, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lines = read_jsonl(path)
            if len(lines) >= n:
                return lines
            time.sleep(0.1)
        self.fail(f"{path}: fewer than {n} lines after {timeout}s")

    def test_tail_from_zero_prints_every_event_in_order(self):
        events = self.tail("--from", "0", "--count", "5")
        self.assertEqual([e["seq"] for e in events], [1, 2, 3, 4, 5])
        self.assertEqual([e["prev"] for e in events], [0, 1, 2, 3, 4])
        self.assertEqual({e["type"] for e in events}, {"report.submitted"})
        self.assertEqual([e["report"] for e in events], self.receipts)
        self.assertEqual(events[0]["payload"]["category"], "JALAN.BERLUBANG")

    def test_topic_filter(self):
        self.assertEqual(len(self.tail("--from", "0", "--topic", "report.sub", "--count", "5")), 5)
        self.assertEqual(self.tail("--from", "0", "--topic", "report.closed", "--idle-exit", "1500"), [])

    def test_resume_continues_without_repeating(self):
        resume = os.path.join(self.sys.workdir, "resume.seq")
        first = self.tail("--resume", resume, "--count", "2")
        self.assertEqual([e["seq"] for e in first], [1, 2])
        with open(resume) as f:
            self.assertEqual(f.read().strip(), "2")
        rest = self.tail("--resume", resume, "--idle-exit", "1500")
        self.assertEqual([e["seq"] for e in rest][:3], [3, 4, 5])

    def test_python_example_consumer_sees_the_same_sequence(self):
        out = subprocess.run(["/usr/bin/python3", EXAMPLE, "--from", "0", "--count", "5",
                              "--stream", self.sys.stream_endpoint, "--replay", self.sys.replay_endpoint,
                              "--key", self.sys.keys.secret_file("analytics"),
                              "--hub-key", os.path.join(self.sys.keys.peers, "stats.cert")],
                             capture_output=True, text=True, timeout=30, check=True).stdout.split("\n")
        rows = [line.split() for line in out if line]
        self.assertEqual([int(r[0]) for r in rows], [1, 2, 3, 4, 5])
        self.assertEqual([r[2] for r in rows], self.receipts)

    def test_tail_survives_the_hub_killed_and_restarted(self):
        proc, path = self.sys.tail("--from", "0")
        before = len(self.wait_lines(path, 5))
        self.sys.stats.kill()
        status, _, doc = self.sys.json("POST", "/api/v1/reports", valid_report(title="Laporan saat hub mati"))
        self.assertEqual(status, 201)  # submission never depends on the hub
        self.sys.stats.start()
        for n in range(3):
            self.sys.json("POST", "/api/v1/reports", valid_report(title=f"Laporan setelah hub kembali {n}"))
        events = self.wait_lines(path, before + 4)
        seqs = [e["seq"] for e in events]
        self.assertEqual(seqs, list(range(1, len(seqs) + 1)))
        self.assertIn(doc["tracking_id"], [e.get("report") for e in events])
        self.assertIsNone(proc.poll())

    def test_privacy_in_the_stream(self):
        secret = {"name": "Rahasia Pelapor", "email": "rahasia@example.org", "phone": "+62 811 2222 3333"}
        _, _, anon = self.sys.json("POST", "/api/v1/reports", valid_report(anonymous=True, reporter=secret))
        _, _, conf = self.sys.json("POST", "/api/v1/reports", valid_report(
            confidential=True, reporter=secret, title="Isi rahasia laporan", body="Rincian yang tidak boleh publik."))
        _, _, named = self.sys.json("POST", "/api/v1/reports", valid_report(reporter=secret))
        events = {e["report"]: e for e in self.tail("--from", "0", "--idle-exit", "1500")}
        anon_json = json.dumps(events[anon["tracking_id"]])
        for value in secret.values():
            self.assertNotIn(value, anon_json)
        conf_json = json.dumps(events[conf["tracking_id"]], ensure_ascii=False)
        for text in ("Isi rahasia", "Rincian", "Raden Patah", "104.0113"):
            self.assertNotIn(text, conf_json)
        named_json = json.dumps(events[named["tracking_id"]])
        for value in secret.values():  # nor the identity of a named reporter: privacy may still be added
            self.assertNotIn(value, named_json)


if __name__ == "__main__":
    unittest.main(verbosity=2, argv=[sys.argv[0]] + sys.argv[1:])
