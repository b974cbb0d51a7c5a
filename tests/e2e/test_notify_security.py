"""Security checks of aduan-notify (issue 12): delivery ids that nobody can compute from what staff
see, and webhooks that cannot be pointed at the operator's own network — refused when registered,
and refused again when the request connects, however the name resolves by then."""
import hashlib
import unittest

from aduan_harness import System, SystemTestCase, valid_report
from webhook_receiver import WebhookReceiver

REFUSED = "refused by the address policy"


class NotifySecurity(SystemTestCase):
    @classmethod
    def setUpClass(cls):
        # The harness allows loopback (its receivers live there); the tests take that away below.
        cls.sys = System("notify-security", notify=True).start()
        cls.sys.create_staff("nas", "national_admin", "NASIONAL")
        cls.auth = cls.sys.login("nas")
        cls.receiver = WebhookReceiver()
        cls.receiver.start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.receiver.stop()
        finally:
            super().tearDownClass()

    def register(self, url):
        return self.sys.json("POST", "/api/v1/webhooks", {"url": url}, self.auth)

    def submit(self):
        status, _, doc = self.sys.json("POST", "/api/v1/reports", valid_report())
        self.assertEqual(status, 201, doc)
        return doc["tracking_id"]

    def deliveries(self, tracking_id, channel):
        status, _, doc = self.sys.json("GET", f"/api/v1/deliveries?report={tracking_id}&channel={channel}",
                                       headers=self.auth)
        self.assertEqual(status, 200, doc)
        return doc["items"]

    def with_allow_list(self, allow):
        self.sys.notify.stop()
        self.sys.notify.env["ADUAN_WEBHOOK_ALLOW"] = allow
        self.sys.notify.start()

    def test_delivery_ids_are_not_the_unkeyed_hash_of_what_staff_see(self):
        tid = self.submit()
        mail = self.sys.wait_for(lambda: self.deliveries(tid, "email"), 20, "the reporter's e-mail delivery")[0]
        self.assertEqual(mail["recipient"], "reporter")
        guess = hashlib.sha256(f"{mail['event_id']}/email/reporter/siti.rahma@example.org".encode()).hexdigest()[:32]
        self.assertRegex(mail["delivery_id"], "^[0-9a-f]{32}$")
        self.assertNotEqual(mail["delivery_id"], guess)

    def test_internal_addresses_are_refused_at_registration_and_at_connect_time(self):
        # Registered while the operator allowed loopback (as a name: "localhost" resolves there) ...
        status, _, hook = self.register(f"http://localhost:{self.receiver.port}/hook")
        self.assertEqual(status, 201, hook)
        self.receiver.secret = hook["secret"]
        self.with_allow_list("")
        try:
            # ... registering it now is refused, as is every other internal address ...
            for url in (self.receiver.url(), f"http://localhost:{self.receiver.port}/hook",
                        "http://169.254.169.254/latest/meta-data/", "http://[::1]/hook", "http://10.0.0.8/hook",
                        "http://100.64.0.1/hook", "http://0.0.0.0:8080/"):
                status, _, doc = self.register(url)
                self.assertEqual(status, 422, (url, doc))
                self.assertEqual([e["field"] for e in doc["errors"]], ["url"], doc)
            # ... and the webhook registered before reaches nothing: the address connected to is checked.
            tid = self.submit()
            hook_delivery = self.sys.wait_for(
                lambda: [d for d in self.deliveries(tid, "webhook") if d["attempt_log"]
                         and d["attempt_log"][0]["outcome"] == "failed"], 20, "a failed webhook attempt")[0]
            self.assertEqual(hook_delivery["attempt_log"][0]["detail"], REFUSED)
            self.assertEqual(hook_delivery["last_error"], REFUSED)
            self.assertEqual(self.receiver.received, [])
        finally:
            self.with_allow_list("127.0.0.1/32,::1/128")
        # Allowed again by the operator, the same delivery goes through on its next attempt.
        self.sys.wait_for(lambda: self.receiver.received, 30, "the delivery once loopback is allowed")


if __name__ == "__main__":
    unittest.main(verbosity=2)
