"""Fault test of aduan-notify's command server: two replicas serve the gateway's webhook and
delivery commands while each in turn is SIGKILLed mid-run. Every HTTP request is answered (the
gateway's Lazy Pirate client resends the same request id to the other replica), and nothing is
done twice: each registration made exactly one webhook, each re-send queued its delivery once
(counted in PostgreSQL). Bounded in time."""
import os
import threading
import time
import unittest

from aduan_harness import System, valid_report
from webhook_receiver import WebhookReceiver

N_DEAD = int(os.environ.get("ADUAN_FAULT_NOTIFY_CMD_DEAD", "30"))
RESEND_EVERY = 8
WORKERS = 4
RESEND_ATTEMPTS = 3   # services/notify/notify_commands.c
# One attempt and the webhook delivery is dead: the failing receiver makes dead letters to re-send.
NOTIFY_ENV = {"ADUAN_RETRY_BASE_MS": "100", "ADUAN_RETRY_CAP_MS": "300", "ADUAN_DELIVERY_ATTEMPTS": "1",
              "ADUAN_HTTP_TIMEOUT_MS": "1000", "ADUAN_SMTP_TIMEOUT_MS": "2000"}
GATEWAY_ENV = {"ADUAN_COMMAND_TIMEOUT_MS": "1000", "ADUAN_COMMAND_ATTEMPTS": "5", "ADUAN_HTTP_THREADS": "4"}


class NotifyCommandFaults(unittest.TestCase):
    def setUp(self):
        self.failed = True
        self.system = System("notify-cmd-faults", notify=True, notify_replicas=2, notify_env=NOTIFY_ENV,
                             gateway_env=GATEWAY_ENV).start()
        self.system.create_staff("nas", "national_admin", "NASIONAL")
        self.auth = self.system.login("nas")
        self.failing = WebhookReceiver()
        self.failing.start()
        self.failing.respond(status=500)

    def tearDown(self):
        try:
            self.failing.stop()
        finally:
            self.system.stop(failed=self.failed)

    def scalar(self, sql):
        return int(self.system.db.scalar(sql))

    def dead_deliveries(self):
        status, _, doc = self.system.json("POST", "/api/v1/webhooks",
                                          {"url": self.failing.url(), "event_types": ["report.submitted"]}, self.auth)
        self.assertEqual(status, 201, doc)
        self.failing.secret = doc["secret"]
        for i in range(N_DEAD):
            status, _, doc = self.system.json("POST", "/api/v1/reports", valid_report(title=f"Lampu jalan mati {i}"))
            self.assertEqual(status, 201, doc)
        dead = "SELECT count(*) FROM deliveries WHERE channel = 'webhook' AND status = 'dead'"
        self.system.wait_for(lambda: self.scalar(dead) == N_DEAD, 60, f"{N_DEAD} dead webhook deliveries")
        return self.system.db.scalar("SELECT string_agg(delivery_id, ',') FROM deliveries "
                                     "WHERE channel = 'webhook'").split(",")

    def kill_each_replica_in_turn(self):
        """SIGKILL one replica while requests flow, start it again, then the other."""
        for replica in self.system.notifiers:
            time.sleep(0.5)
            replica.kill()
            time.sleep(1.5)
            replica.start()

    def run_requests(self, dead, killer):
        """Registrations with a re-send of a dead delivery every RESEND_EVERY requests, from WORKERS
        threads, the registrations going on until the killer is done; returns every answer as
        (path, status, expected status, document)."""
        answers, lock = [], threading.Lock()
        planned = [("/api/v1/webhooks", 201) for _ in range(len(dead) * RESEND_EVERY)]
        for i, delivery_id in enumerate(dead):
            planned[i * RESEND_EVERY] = (f"/api/v1/deliveries/{delivery_id}/resend", 202)
        planned.reverse()

        def work():
            while True:
                with lock:
                    if not planned and not killer.is_alive():
                        return
                    path, expected = planned.pop() if planned else ("/api/v1/webhooks", 201)
                    body = ({"url": f"http://127.0.0.1:9/hook/{len(answers)}", "event_types": ["report.closed"]}
                            if expected == 201 else None)
                status, _, doc = self.system.json("POST", path, body, self.auth)
                with lock:
                    answers.append((path, status, expected, doc))
                time.sleep(0.05)

        threads = [threading.Thread(target=work) for _ in range(WORKERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        return answers

    def test_replicas_killed_mid_run_answer_everything_and_do_nothing_twice(self):
        dead = self.dead_deliveries()
        killer = threading.Thread(target=self.kill_each_replica_in_turn)
        killer.start()
        answers = self.run_requests(dead, killer)
        killer.join()

        wrong = [(path, status, doc) for path, status, expected, doc in answers if status != expected]
        self.assertEqual(wrong, [], "every request answered as if no replica had died")
        self.assertEqual([r.starts for r in self.system.notifiers], [2, 2], "each replica was killed and restarted")
        registrations = [doc["id"] for path, _, _, doc in answers if path == "/api/v1/webhooks"]
        self.assertEqual(len(answers) - len(registrations), N_DEAD)

        hooks = self.scalar("SELECT count(*) FROM webhooks WHERE url LIKE 'http://127.0.0.1:9/hook/%'")
        self.assertEqual(hooks, len(registrations), "one webhook per registration")
        self.assertEqual(len(set(registrations)), len(registrations), "each registration answered with its own webhook")

        # Queued once: a re-send gives RESEND_ATTEMPTS more tries than the delivery had used (one),
        # so a second one, after the delivery died again, would show in max_attempts and retry_from.
        # (Attempts themselves are no count of re-sends: a kill mid-send adds an interrupted one.)
        self.system.wait_for(lambda: self.scalar("SELECT count(*) FROM deliveries WHERE channel = 'webhook' "
                                                 "AND status = 'dead' AND retry_from >= 1") == N_DEAD, 120,
                             "the re-sent deliveries dead again")
        self.assertEqual(self.scalar(f"SELECT count(*) FROM deliveries WHERE channel = 'webhook' AND retry_from = 1 "
                                     f"AND max_attempts = {1 + RESEND_ATTEMPTS}"), N_DEAD)
        self.failed = False


if __name__ == "__main__":
    unittest.main()
