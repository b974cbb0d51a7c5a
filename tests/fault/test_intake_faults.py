"""Fault test of intake's group commit: 16 clients submit at once, so intake stores them in batches,
while aduan-intake is SIGKILLed and restarted over and over (alone, and as one of two replicas). Then every submission that got a 201 is
stored exactly once, nothing is half-stored (a report without its action, clock, key or event, or an
event without its report), and resubmitting under the same Idempotency-Key answers the same
tracking id. Bounded in time."""
import os
import random
import threading
import time
import unittest

from aduan_harness import System, valid_report

CLIENTS = 16
SECONDS = float(os.environ.get("ADUAN_FAULT_INTAKE_SECONDS", "12"))


class IntakeFaults(unittest.TestCase):
    system = None

    def start(self, replicas):
        self.system = System("intake-faults", intake_replicas=replicas,
                             gateway_env={"ADUAN_COMMAND_TIMEOUT_MS": "700", "ADUAN_COMMAND_ATTEMPTS": "2"}).start()
        self.failed = True

    def tearDown(self):
        if self.system:
            self.system.stop(failed=self.failed)

    def submit(self, key, n):
        """(status, tracking id or None); None status for a connection error."""
        try:
            status, _, doc = self.system.json("POST", "/api/v1/reports",
                                              valid_report(title=f"Laporan serentak {n}"), {"Idempotency-Key": key})
        except OSError:
            return None, None
        return status, (doc or {}).get("tracking_id") if status == 201 else None

    def client(self, c, stop, answers, spans, lock):
        n = 0
        while not stop.is_set():
            key = f"intake-fault-{c:02d}-{n:06d}"
            began = time.monotonic()
            status, tracking_id = self.submit(key, n)
            ended = time.monotonic()
            # 409: the gateway's retry reached the other replica while the first still held the key
            self.assertIn(status, (201, 409, 503, None), f"{key}: {status}")
            with lock:
                answers[key] = tracking_id
                spans.append((began, ended))
            n += 1

    def keep_killing(self, stop, kills):
        rng = random.Random(11)
        while not stop.wait(rng.uniform(0.2, 0.6)):
            victim = rng.choice(self.system.intakes)
            victim.kill()
            kills.append(time.monotonic())
            victim.start(wait_ready=False)

    def test_killed_mid_batch_stores_each_answered_submission_once_and_nothing_half(self):
        self.start(1)
        self.kill_under_load_and_count()

    def test_two_replicas_killed_mid_batch_store_each_answered_submission_once(self):
        self.start(2)
        self.kill_under_load_and_count()

    def kill_under_load_and_count(self):
        stop, kills, answers, spans, lock = threading.Event(), [], {}, [], threading.Lock()
        clients = [threading.Thread(target=self.client, args=(c, stop, answers, spans, lock))
                   for c in range(CLIENTS)]
        killer = threading.Thread(target=self.keep_killing, args=(stop, kills))
        for t in clients + [killer]:
            t.start()
        time.sleep(SECONDS)
        stop.set()
        for t in clients + [killer]:
            t.join()
        for intake in self.system.intakes:
            intake.wait_ready()
        db = self.system.db
        accepted = {key: tid for key, tid in answers.items() if tid}
        self.assertGreaterEqual(len(kills), 10, "intake was really killed under load")
        self.assertGreater(len(accepted), 50, "submissions were accepted between the kills")
        # A kill lands mid-batch when submissions were on their way through intake at that moment.
        # Whether one of them then goes unanswered depends on the gateway's retry reaching the
        # restarted intake in time, so that is reported, not required.
        kills_in_flight = sum(1 for k in kills if any(began < k < ended for began, ended in spans))
        self.assertGreaterEqual(kills_in_flight, 10, "kills landed while submissions were in flight")
        print(f"{len(kills)} kills, {kills_in_flight} with submissions in flight; "
              f"{len(accepted)} of {len(answers)} submissions answered 201", flush=True)

        # Every 201 is stored exactly once; no key is stored twice.
        # Counted in slices: all the ids in one psql command line passed the kernel's limit once
        # intake accepted some thousands between the kills (OSError: Argument list too long).
        tids = sorted(accepted.values())
        self.assertEqual(len(set(tids)), len(accepted))
        stored = 0
        for i in range(0, len(tids), 1000):
            ids = ",".join(f"'{tid}'" for tid in tids[i:i + 1000])
            stored += int(db.scalar(f"SELECT count(*) FROM reports WHERE tracking_id IN ({ids})"))
        self.assertEqual(stored, len(accepted))
        reports = int(db.scalar("SELECT count(*) FROM reports"))
        self.assertLessEqual(reports, len(answers))
        self.assertEqual(int(db.scalar("SELECT count(*) FROM submission_keys")), reports)

        # Nothing half-stored: each report has its action, clock, key and one event, and back.
        self.assertEqual(int(db.scalar("SELECT count(*) FROM reports r WHERE "
                                       "(SELECT count(*) FROM report_actions a WHERE a.report_id = r.id) <> 1 "
                                       "OR (SELECT count(*) FROM report_deadlines d WHERE d.report_id = r.id) <> 1 "
                                       "OR (SELECT count(*) FROM submission_keys k WHERE k.report_id = r.id) <> 1 "
                                       "OR (SELECT count(*) FROM events e WHERE e.report_id = r.id "
                                       "    AND e.type = 'report.submitted') <> 1")), 0)
        self.assertEqual(int(db.scalar("SELECT count(*) FROM events e WHERE type = 'report.submitted' "
                                       "AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.id = e.report_id)")), 0)

        # The same key answers the same tracking id; a key never answered is stored now, once.
        for key, tid in sorted(answers.items()):
            n = int(key.rsplit("-", 1)[1])
            status, again = self.submit(key, n)
            self.assertEqual(status, 201, key)
            if tid:
                self.assertEqual(again, tid, key)
        self.assertEqual(int(db.scalar("SELECT count(*) FROM reports")), len(answers))
        self.assertEqual(int(db.scalar("SELECT count(*) FROM events WHERE type = 'report.submitted'")), len(answers))
        self.failed = False


if __name__ == "__main__":
    unittest.main(verbosity=2)
