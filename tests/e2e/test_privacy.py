"""End to end (issue 12, point 2): privacy on every path, whenever it is set. A report submitted
with its reporter's name and contact and made anonymous and confidential only at verification,
and a report confidential from submission, leave no name, no contact and no content in what is
published or served afterwards: a replay from seq 0 (aduan-tail and the events table), webhook
bodies (received, and stored but not yet sent) and the delivery log."""
import json
import sys
import unittest

from aduan_harness import System, SystemTestCase, read_jsonl, valid_report
from webhook_receiver import WebhookReceiver

REPORTER = {"name": "Wibisono Hartanto", "email": "wibi.hartanto@example.org", "phone": "+62 813-5550-9876"}


def secrets(tag):
    """Texts that appear nowhere but in one report, so finding one anywhere is a leak."""
    return {"title": f"Pungutan liar loket {tag}", "body": f"Petugas loket {tag} meminta uang tambahan setiap hari.",
            "address": f"Jalan Kenanga {tag}", "question": f"Siapa nama petugas {tag}?",
            "added": f"Petugasnya berkacamata {tag}."}


class Privacy(SystemTestCase):
    maxDiff = None
    @classmethod
    def setUpClass(cls):
        cls.sys = System("privacy", lifecycle=True, notify=True).start()
        cls.sys.create_staff("nas", "national_admin", "NASIONAL")
        cls.nas = cls.sys.login("nas")
        cls.receiver = WebhookReceiver()
        cls.receiver.start()
        status, _, hook = cls.sys.json("POST", "/api/v1/webhooks", {"url": cls.receiver.url()}, headers=cls.nas)
        assert status == 201, hook
        cls.receiver.secret = hook["secret"]  # at the root: every event of every report

    @classmethod
    def tearDownClass(cls):
        try:
            cls.receiver.stop()
        finally:
            super().tearDownClass()

    def submit(self, texts, **overrides):
        body = valid_report(title=texts["title"], body=texts["body"], reporter=REPORTER,
                            location={"address": texts["address"], "lat": -6.2001, "lon": 106.8166}, **overrides)
        status, _, doc = self.sys.json("POST", "/api/v1/reports", body)
        self.assertEqual(status, 201, doc)
        return doc["tracking_id"], {"Authorization": f"Bearer {doc['reporter_token']}"}

    def act_ok(self, tracking_id, auth, action, **fields):
        status, doc = self.sys.act(tracking_id, auth, action, **fields)
        self.assertEqual(status, 200, doc)

    def verified_and_dispatched(self, tid, **corrections):
        self.act_ok(tid, self.nas, "verify", **corrections)
        self.receiver_got(tid, "report.dispatched")

    def receiver_got(self, tid, event_type):
        self.sys.wait_for(lambda: [r for r in self.receiver.received
                                   if r["event_type"] == event_type and r["body"]["event"]["report"] == tid],
                          30, f"the webhook told of {event_type} of {tid}")

    def published(self, tid):
        """Everything published or served about the report, path by path."""
        proc, path = self.sys.tail("--from", "0", "--idle-exit", "1500")
        proc.wait(60)
        self.assertEqual(proc.returncode, 0)
        status, _, log = self.sys.json("GET", f"/api/v1/deliveries?report={tid}&limit=200", headers=self.nas)
        self.assertEqual(status, 200, log)
        self.assertTrue(log["items"], "the delivery log lists the report's deliveries")
        return {
            "aduan-tail --from 0": [e for e in read_jsonl(path) if e.get("report") == tid],
            "events table": self.sys.db.scalar(
                f"SELECT string_agg(encode(payload, 'escape'), ' ') FROM events WHERE tracking_id = '{tid}'"),
            "webhook bodies received": [r["body"] for r in self.receiver.received
                                        if r["body"]["event"]["report"] == tid],
            "webhook payloads stored": self.sys.db.scalar(
                f"SELECT string_agg(payload, ' ') FROM deliveries WHERE tracking_id = '{tid}' AND channel = 'webhook'"),
            "GET /deliveries": log,
        }

    def assert_nothing_of(self, tid, texts):
        """Every leak on every path at once, so a failure tells all the paths that leak."""
        leaks = []
        for path, seen in self.published(tid).items():
            dump = seen if isinstance(seen, str) else json.dumps(seen, ensure_ascii=False)
            self.assertTrue(dump, f"{path} shows the report")
            leaks += [f"{path} reveals the {what}" for what, value in {**REPORTER, **texts}.items() if value in dump]
        self.assertEqual(leaks, [])

    def test_privacy_added_at_verification_hides_all_that_came_before(self):
        texts = secrets("A7")
        tid, reporter = self.submit(texts)
        self.act_ok(tid, self.nas, "postpone", reason_code=self.postpone_reason(), note=texts["question"])
        self.receiver_got(tid, "report.postponed")
        self.act_ok(tid, reporter, "add_data", note=texts["added"])
        self.receiver_got(tid, "report.data_added")
        self.verified_and_dispatched(tid, anonymous=True, confidential=True)
        self.assert_nothing_of(tid, texts)
        # The reporter still hears the desk's question: notify reads it from the report's log.
        mail = self.sys.wait_for(lambda: [m for m in self.sys.mail.messages()
                                          if tid in (m["subject"] or "") and "data tambahan" in (m["subject"] or "")],
                                 30, "the postponement mail")[0]
        text = self.sys.mail.message(mail).get_body(("plain",)).get_content()
        self.assertIn(texts["question"], text)

    def test_confidential_from_submission(self):
        texts = secrets("B4")
        tid, _ = self.submit(texts, confidential=True)
        self.receiver_got(tid, "report.submitted")
        self.verified_and_dispatched(tid)
        self.assert_nothing_of(tid, texts)

    def test_content_is_published_once_verified_but_never_the_reporter(self):
        texts = secrets("C9")
        tid, _ = self.submit(texts)
        self.receiver_got(tid, "report.submitted")
        submitted = json.dumps(self.published(tid)["aduan-tail --from 0"], ensure_ascii=False)
        self.assertNotIn(texts["title"], submitted, "nothing of the content before verification")
        self.verified_and_dispatched(tid)
        seen = self.published(tid)
        verified = [e for e in seen["aduan-tail --from 0"] if e["type"] == "report.verified"]
        self.assertEqual([e["payload"]["title"] for e in verified], [texts["title"]])
        self.assertEqual(verified[0]["payload"]["body"], texts["body"])
        for path, value in seen.items():
            dump = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            for what, secret in REPORTER.items():
                self.assertNotIn(secret, dump, f"{path} reveals the reporter's {what}")

    def test_an_internal_note_stays_with_staff(self):
        """An internal note (report.note_added) is on the staff's view only: not on the public view,
        not in any event, webhook body or delivery, not in the reporter's mails — while the public
        response beside it is."""
        tid, reporter = self.submit(secrets("N3"))
        self.verified_and_dispatched(tid)
        note, response = "Catatan internal N3: kontraktor lama bermasalah.", "Tanggapan publik N3: sudah diperbaiki."
        status, doc = self.sys.act(tid, self.nas, "internal_note", note=note)
        self.assertEqual((status, doc.get("status"), doc.get("action")), (200, "dispatched", "internal_note"), doc)
        self.receiver_got(tid, "report.note_added")
        self.act_ok(tid, self.nas, "follow_up", note=response)
        self.receiver_got(tid, "report.followed_up")
        staff = self.sys.json("GET", f"/api/v1/staff/reports/{tid}", headers=self.nas)[2]
        self.assertEqual([(a["action"], a["note"], a["internal"]) for a in staff["actions"][-2:]],
                         [("internal_note", note, True), ("follow_up", response, False)])
        for who, headers in (("the public", {}), ("the reporter", reporter)):
            view = self.sys.json("GET", f"/api/v1/reports/{tid}", headers=headers)[2]
            self.assertIn(response, json.dumps(view, ensure_ascii=False), who)
            self.assertNotIn(note, json.dumps(view, ensure_ascii=False), who)
            self.assertNotIn("internal_note", [a["action"] for a in view["actions"]], who)
        self.assert_nothing_of(tid, {"internal note": note})
        self.assertEqual(self.sys.json("POST", f"/api/v1/reports/{tid}/actions",
                                       {"action": "internal_note", "note": "x"}, headers=reporter)[0], 401,
                         "a reporter token is no staff session")
        mail = self.sys.wait_for(lambda: [m for m in self.sys.mail.messages()
                                          if tid in (m["subject"] or "") and "Tindak lanjut" in (m["subject"] or "")],
                                 30, "the follow-up mail")[0]
        text = self.sys.mail.message(mail).get_body(("plain",)).get_content()
        self.assertIn(response, text)
        self.assertNotIn(note, text)

    def postpone_reason(self):
        return self.sys.db.scalar("SELECT code FROM reason_codes WHERE action = 'postpone' AND active "
                                  "ORDER BY code LIMIT 1")


if __name__ == "__main__":
    unittest.main(verbosity=2, argv=[sys.argv[0]] + sys.argv[1:])
