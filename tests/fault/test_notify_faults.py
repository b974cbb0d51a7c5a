"""Fault tests of aduan-notify with a real SMTP server and a real webhook receiver: the receiver down
for a while, two notify replicas SIGKILLed and restarted mid-batch, the mail server refusing and
then accepting. Afterwards every delivery has arrived, each once per delivery id — except the few
that a kill interrupted after the receiver took them and before the outcome was written, which are
sent again with the same id and each leave an 'interrupted' attempt behind (docs/notifications.md).
Bounded in time."""
import collections
import os
import random
import threading
import time
import unittest

from aduan_harness import System, valid_report
from webhook_receiver import WebhookReceiver

N_REPORTS = int(os.environ.get("ADUAN_FAULT_NOTIFY_REPORTS", "120"))
QUICK_RETRIES = {"ADUAN_RETRY_BASE_MS": "100", "ADUAN_RETRY_CAP_MS": "800", "ADUAN_DELIVERY_ATTEMPTS": "60",
                 "ADUAN_SMTP_TIMEOUT_MS": "2000", "ADUAN_HTTP_TIMEOUT_MS": "2000"}


class NotifyFaults(unittest.TestCase):
    def start_system(self, hint, replicas=1):
        self.system = System(hint, notify=True, notify_replicas=replicas, notify_env=QUICK_RETRIES).start()
        self.system.create_staff("nas", "national_admin", "NASIONAL")
        self.receiver = WebhookReceiver()
        self.receiver.start()
        status, _, doc = self.system.json("POST", "/api/v1/webhooks",
                                          {"url": self.receiver.url(), "event_types": ["report.submitted"]},
                                          self.system.login("nas"))
        self.assertEqual(status, 201, doc)
        self.receiver.secret = doc["secret"]
        self.failed = True

    def tearDown(self):
        try:
            self.receiver.stop()
        finally:
            self.system.stop(failed=self.failed)

    def submit(self, n):
        tracking_ids = []
        for i in range(n):
            status, _, doc = self.system.json("POST", "/api/v1/reports", valid_report(
                title=f"Drainase tersumbat nomor {i}", category="PU.DRAINASE",
                reporter={"name": "Budi", "email": f"budi{i}@example.org"}))
            self.assertEqual(status, 201, doc)
            tracking_ids.append(doc["tracking_id"])
        return tracking_ids

    def delivered(self, channel):
        return int(self.system.db.scalar(
            f"SELECT count(*) FROM deliveries WHERE channel = '{channel}' AND status = 'delivered'"))

    def wait_all_delivered(self, n, timeout=90):
        self.system.wait_for(lambda: self.delivered("email") == n and self.delivered("webhook") == n, timeout,
                             f"{n} e-mails and {n} webhook requests delivered")

    def assert_each_arrived(self, n):
        """Every delivery arrived under its own id; returns how many arrived more than once."""
        db_ids = set(self.system.db.scalar(
            "SELECT string_agg(delivery_id, ',') FROM deliveries WHERE channel = 'webhook'").split(","))
        webhook_counts = self.receiver.count_by_delivery()
        self.assertEqual(set(webhook_counts), db_ids)
        self.assertEqual(len(db_ids), n)
        mail_counts = collections.Counter(m["message_id"].strip("<>").split("@")[0] for m in self.system.mail.messages())
        mail_ids = set(self.system.db.scalar(
            "SELECT string_agg(delivery_id, ',') FROM deliveries WHERE channel = 'email'").split(","))
        self.assertEqual(set(mail_counts), mail_ids)
        self.assertEqual(len(mail_ids), n)
        self.assertEqual(self.receiver.rejected, [])
        return sum(c - 1 for c in webhook_counts.values()) + sum(c - 1 for c in mail_counts.values())

    def interrupted_attempts(self):
        return int(self.system.db.scalar("SELECT count(*) FROM delivery_attempts WHERE outcome = 'interrupted'"))

    def test_receiver_down_for_a_while_then_every_delivery_arrives_once(self):
        self.start_system("notify-receiver-down")
        self.receiver.stop()
        self.submit(N_REPORTS // 2)
        self.system.wait_for(lambda: int(self.system.db.scalar(
            "SELECT count(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id "
            "WHERE d.channel = 'webhook' AND a.outcome = 'failed'")) >= N_REPORTS, 60, "attempts to fail")
        self.assertEqual(self.delivered("webhook"), 0)
        self.system.wait_for(lambda: self.delivered("email") == N_REPORTS // 2, 30, "e-mail to go on meanwhile")
        self.receiver.start()
        self.wait_all_delivered(N_REPORTS // 2)
        self.assertEqual(self.assert_each_arrived(N_REPORTS // 2), 0, "nothing twice without a crash")
        self.failed = False

    def test_notify_replicas_killed_mid_batch_lose_nothing(self):
        self.start_system("notify-kills", replicas=2)
        self.receiver.respond(delay=0.02)  # long enough for kills to land inside transfers
        stop, kills = threading.Event(), []

        def keep_killing():
            rng = random.Random(5)
            while not stop.is_set():
                victim = rng.choice(self.system.notifiers)
                victim.kill()
                kills.append(victim.name)
                stop.wait(0.15)
                victim.start(wait_ready=False)
                stop.wait(0.35)

        killer = threading.Thread(target=keep_killing)
        killer.start()
        try:
            self.submit(N_REPORTS)
            time.sleep(2.0)
        finally:
            stop.set()
            killer.join()
        for notifier in self.system.notifiers:
            if notifier.proc.poll() is not None:
                notifier.start(wait_ready=False)
        self.wait_all_delivered(N_REPORTS)
        self.assertEqual(int(self.system.db.scalar("SELECT count(*) FROM deliveries")), 2 * N_REPORTS,
                         "one delivery per event, channel and recipient, whoever handled the event")
        repeats = self.assert_each_arrived(N_REPORTS)
        interrupted = self.interrupted_attempts()
        print(f"{len(kills)} kills, {interrupted} interrupted attempts, {repeats} repeated arrivals", flush=True)
        self.assertGreaterEqual(len(kills), 3)
        self.assertLessEqual(repeats, interrupted, "a repeat only follows an attempt a kill interrupted")
        self.failed = False

    def test_mail_server_refusing_then_accepting_gets_every_mail_once(self):
        self.start_system("notify-smtp-refuses")
        self.system.mail.set_refusing(True)
        n = N_REPORTS // 4
        self.submit(n)
        self.system.wait_for(lambda: int(self.system.db.scalar(
            "SELECT count(DISTINCT d.id) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id "
            "WHERE d.channel = 'email' AND a.outcome = 'failed'")) == n, 60, "every mail refused at least once")
        self.assertEqual(self.system.mail.messages(), [])
        self.system.mail.set_refusing(False)
        self.wait_all_delivered(n)
        self.assertEqual(self.assert_each_arrived(n), 0)
        details = self.system.db.scalar("SELECT string_agg(DISTINCT a.detail, ' | ') FROM delivery_attempts a "
                                        "JOIN deliveries d ON d.id = a.delivery_id "
                                        "WHERE d.channel = 'email' AND a.outcome = 'failed'")
        self.assertIn("451", details)
        self.failed = False


if __name__ == "__main__":
    unittest.main(verbosity=2)
