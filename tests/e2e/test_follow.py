"""End to end (issue 16, point 4 "following a report"): anyone follows a public report by e-mail.
Double opt-in: nothing is sent but the confirmation mail until its link is opened. A confirmed
follower hears of every public step (the institution's response) in their language, through the
delivery log, never of an internal note; every such mail carries an unsubscribe link and RFC 8058
one-click headers, and one POST to that URL ends it. Asks are rate-limited per e-mail address (in
aduan-notify) and per client address (the gateway). Followers' addresses are never on the event
stream, in the staff delivery log or in any answer."""
import re
import unittest

from aduan_harness import System, SystemTestCase, valid_report

FOLLOWER = "Pengikut.Warga@Example.org"      # stored and compared lower-case
REPORTER = {"name": "Siti Rahmawati", "email": "siti.rahma@example.org"}


class Follow(SystemTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("follow", lifecycle=True, notify=True).start()
        cls.sys.create_staff("nas", "national_admin", "NASIONAL")
        cls.sys.create_staff("pupr", "unit_liaison", "KOTA-21.71.PUPR")
        cls.nas = cls.sys.login("nas")
        cls.pupr = cls.sys.login("pupr")

    def dispatched(self, **overrides):
        status, _, doc = self.sys.json("POST", "/api/v1/reports", valid_report(reporter=REPORTER, **overrides))
        self.assertEqual(status, 201, doc)
        tid = doc["tracking_id"]
        self.act(tid, self.nas, "verify")
        self.sys.wait_for(lambda: self.public_status(tid) == "not_yet_followed_up", 20, f"{tid} dispatched")
        return tid

    def public_status(self, tid):
        status, _, doc = self.sys.json("GET", f"/api/v1/reports/{tid}")
        return doc["public_status"] if status == 200 and doc["status"] == "dispatched" else None

    def act(self, tid, auth, action, **fields):
        status, doc = self.sys.act(tid, auth, action, **fields)
        self.assertEqual(status, 200, doc)

    def follow(self, tid, email=FOLLOWER, **fields):
        return self.sys.json("POST", f"/api/v1/reports/{tid}/followers", {"email": email, **fields})

    def mails_to(self, address, tid):
        return [m for m in self.sys.mail.messages() if address in m["rcpt_tos"] and tid in (m["subject"] or "")]

    def wait_mails(self, address, tid, count):
        return self.sys.wait_for(lambda: (lambda ms: ms if len(ms) >= count else None)(self.mails_to(address, tid)),
                                 20, f"{count} mails to {address} about {tid}")

    def text_of(self, entry):
        return self.sys.mail.message(entry).get_body(("plain",)).get_content()

    def confirm_from(self, entry):
        token = re.search(r"/ikuti#konfirmasi=([A-Za-z0-9_-]+)", self.text_of(entry)).group(1)
        return self.sys.json("POST", "/api/v1/followers/confirm", {"token": token})

    def test_follow_confirm_hear_public_steps_then_unsubscribe_in_one_click(self):
        tid = self.dispatched(title="Jalan berlubang di depan sekolah")
        address = FOLLOWER.lower()
        status, headers, doc = self.follow(tid, language="en")
        self.assertEqual((status, doc), (202, {"tracking_id": tid, "state": "pending"}))
        self.assertEqual(headers["cache-control"], "no-store")
        status, _, doc = self.follow(tid.lower(), email=address)
        self.assertEqual((status, doc["state"]), (202, "pending"), "the same address again is the same follow")
        self.assertEqual(self.sys.db.scalar("SELECT count(*) FROM report_followers"), "1")
        [confirmation] = self.wait_mails(address, tid, 1)
        self.assertIn("Confirm", confirmation["subject"], "in the follower's language")
        self.assertNotIn("List-Unsubscribe", str(self.sys.mail.message(confirmation)),
                         "not subscribed yet: nothing to unsubscribe from")

        # Not confirmed yet: a public step reaches nobody but the reporter.
        self.act(tid, self.pupr, "follow_up", note="Tim kami akan meninjau lokasi.")
        self.wait_mails(REPORTER["email"], tid, 3)
        self.assertEqual(len(self.mails_to(address, tid)), 1, "pending follows hear nothing")

        status, _, doc = self.confirm_from(confirmation)
        self.assertEqual((status, doc), (200, {"tracking_id": tid, "state": "confirmed"}))
        status, _, doc = self.confirm_from(confirmation)
        self.assertEqual((status, doc["state"]), (200, "confirmed"), "a second click still confirms")

        self.act(tid, self.pupr, "internal_note", note="CATATAN-INTERNAL jangan dibagikan")
        self.act(tid, self.pupr, "follow_up", note="Lubang ditambal hari Senin.")
        step = self.wait_mails(address, tid, 2)[1]
        message = self.sys.mail.message(step)
        self.assertIn("The report you follow", step["subject"])
        text = self.text_of(step)
        self.assertIn("Lubang ditambal hari Senin.", text)
        self.assertNotIn("CATATAN-INTERNAL", text)
        self.assertEqual(message["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        one_click = re.fullmatch(r"<(https://lapor\.example\.go\.id(/api/v1/followers/unsubscribe/[0-9a-f]{64}))>",
                                 message["List-Unsubscribe"])
        self.assertIsNotNone(one_click, message["List-Unsubscribe"])
        token = one_click.group(2).rsplit("/", 1)[1]
        self.assertIn(f"/ikuti#berhenti={token}", text, "the link people click leads to the same token")
        self.assertEqual(self.sys.db.scalar(f"SELECT count(*) FROM report_followers WHERE unsubscribe_hash = '{token}'"
                                            f" OR confirm_hash = '{token}'"), "0", "tokens are stored hashed")
        # The internal note's event (report.note_added) made no mail to the follower: the step's
        # mail is the second and last.
        self.assertEqual(self.sys.db.scalar("SELECT count(*) FROM deliveries WHERE recipient_kind = 'follower' "
                                            "AND event_type = 'report.note_added'"), "0")
        self.sys.wait_for(lambda: len(self.mails_to(REPORTER["email"], tid)) >= 4, 20, "the reporter's mail")
        self.assertEqual(len(self.mails_to(address, tid)), 2)

        # RFC 8058: the mail client POSTs the form body to the header's URL.
        status, _, doc = self.sys.json("POST", one_click.group(2), "List-Unsubscribe=One-Click",
                                       {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual((status, doc), (200, {"tracking_id": tid, "state": "unsubscribed"}))
        self.assertEqual(self.sys.db.scalar("SELECT count(*) FROM report_followers"), "0", "nothing of them stays")
        status, _, _ = self.sys.json("POST", one_click.group(2), "List-Unsubscribe=One-Click",
                                     {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 404)

        self.act(tid, self.pupr, "follow_up", note="Pekerjaan selesai.")
        self.sys.wait_for(lambda: len(self.mails_to(REPORTER["email"], tid)) >= 5, 20, "the reporter's mail")
        self.assertEqual(len(self.mails_to(address, tid)), 2, "nothing after unsubscribing")

        # The follower's address is nowhere but in notify's table and its deliveries.
        proc, path = self.sys.tail("--from", "0", "--idle-exit", "1500")
        proc.wait(60)
        self.assertEqual(proc.returncode, 0)
        stream = open(path, encoding="utf-8").read().lower()
        self.assertIn(tid.lower(), stream)
        self.assertNotIn("pengikut", stream, "the stream never carries a follower's address")
        self.assertEqual(self.sys.db.scalar("SELECT count(*) FROM events WHERE payload::text ILIKE '%pengikut%'"), "0")
        status, _, log = self.sys.json("GET", f"/api/v1/deliveries?report={tid}&limit=200", headers=self.nas)
        self.assertEqual(status, 200, log)
        self.assertIn("follower", [d["recipient"] for d in log["items"]])
        self.assertNotIn("pengikut", str(log).lower(), "staff see that a follower was told, never who")
        status, _, view = self.sys.json("GET", f"/api/v1/staff/reports/{tid}", headers=self.nas)
        self.assertNotIn("pengikut", str(view).lower())

    def test_rate_limited_per_address(self):
        tids = [self.dispatched(title=f"Lampu padam nomor {n}") for n in range(6)]
        answers = [self.follow(tid, email="sering@example.org")[0] for tid in tids]
        self.assertEqual(answers, [202] * 5 + [429], "five confirmation mails an hour to one address")
        self.assertEqual(self.follow(tids[5], email="lain@example.org")[0], 202, "another address is not limited")

    def test_only_public_reports_and_valid_addresses(self):
        status, _, doc = self.sys.json("POST", "/api/v1/reports", valid_report(confidential=True))
        self.assertEqual(status, 201, doc)
        secret = doc["tracking_id"]
        self.act(secret, self.nas, "verify")
        status, _, doc = self.sys.json("POST", "/api/v1/reports", valid_report())
        unverified = doc["tracking_id"]
        for tid in (secret, unverified, "ZZZZ-ZZZZ-ZZZZ", "nonsense"):
            status, _, doc = self.follow(tid, email="ingin@example.org")
            self.assertEqual(status, 404, (tid, doc))
        tid = self.dispatched()
        for body in ({}, {"email": "tanpa-at"}, {"email": "a b@example.org"}, {"email": "x@example.org", "language": "fr"},
                     {"email": 5}):
            status, _, doc = self.sys.json("POST", f"/api/v1/reports/{tid}/followers", body)
            self.assertEqual(status, 422, (body, doc))
        for token in ("0" * 43, "x"):
            status, _, _ = self.sys.json("POST", "/api/v1/followers/confirm", {"token": token})
            self.assertEqual(status, 404)
        status, _, _ = self.sys.json("GET", f"/api/v1/followers/unsubscribe/{'0' * 64}")
        self.assertEqual(status, 405)


class FollowRateLimitPerClient(SystemTestCase):
    """The gateway's own limit per client address, before anything reaches aduan-notify."""
    @classmethod
    def setUpClass(cls):
        cls.sys = System("follow-client", gateway_env={"ADUAN_RATE_FOLLOW_BURST": "3",
                                                       "ADUAN_RATE_FOLLOW_PER_MINUTE": "1"}).start()

    def test_burst_then_429(self):
        # Malformed tokens (404 without asking aduan-notify) count too: guessing stays slow.
        answers = [self.sys.json("POST", "/api/v1/followers/confirm", {"token": "no such token"})[0] for _ in range(4)]
        self.assertEqual(answers, [404, 404, 404, 429])


if __name__ == "__main__":
    unittest.main()
