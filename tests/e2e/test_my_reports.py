"""End to end: "my reports" (docs/api.md, "A reporter's own reports") through the real gateway,
intake and notify, with the mail sink and a signed SMS provider: a one-time code by mail or SMS,
the list of exactly that contact's reports, a lost token recovered (the old one refused), and the
code's limits: wrong five times, expired, used, rate-limited, and the same answer for a contact
nobody reported with."""
import itertools
import json
import os
import re
import time
import unittest

from aduan_harness import System, SystemTestCase, valid_report
from webhook_receiver import WebhookReceiver

CODE = re.compile(r"\b(\d{8})\b")
_addresses = itertools.count(1)


class MyReports(SystemTestCase):
    sms = None

    @classmethod
    def setUpClass(cls):
        cls.sms = WebhookReceiver(secret="s" * 40)
        cls.sms.start()
        try:
            cls.sys = System("my_reports", notify=True,
                             notify_env={"ADUAN_SMS_URL": cls.sms.url("/sms"), "ADUAN_SMS_SECRET": cls.sms.secret},
                             gateway_env={"ADUAN_TRUSTED_PROXIES": "127.0.0.1",
                                          "ADUAN_RATE_REPORTER_CODE_PER_MINUTE": "1",
                                          "ADUAN_RATE_REPORTER_CODE_BURST": "8"}).start()
        except BaseException:
            cls.sms.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.sms.stop()
        finally:
            super().tearDownClass()

    def setUp(self):
        # each test is another client address (through the trusted proxy), so that the per-address
        # limit counts one test's requests only
        self.client = {"X-Forwarded-For": f"198.51.100.{next(_addresses)}"}

    def submit(self, email=None, phone=None, title="Jalan berlubang di depan pasar"):
        status, _, doc = self.sys.json("POST", "/api/v1/reports", valid_report(
            title=title, reporter={"name": "Siti", **({"email": email} if email else {}),
                                   **({"phone": phone} if phone else {})}))
        self.assertEqual(status, 201, doc)
        return doc["tracking_id"], doc["reporter_token"]

    def ask_code(self, contact, headers=None):
        return self.sys.json("POST", "/api/v1/reporter/codes", {"contact": contact}, headers or self.client)

    def code_mails(self, address):
        """The codes mailed to the address, oldest first (other mails, about the reports, left out)."""
        return [CODE.search(m["subject"]).group(1) for m in self.sys.mail.messages()
                if address in [r.lower() for r in m["rcpt_tos"]] and "Laporan saya" in (m["subject"] or "")]

    def mailed_code(self, address, after=0):
        return self.sys.wait_for(lambda: (self.code_mails(address)[after:] or [None])[0], 20,
                                 f"a code mailed to {address}")

    def mails_to(self, address):
        return len(self.code_mails(address))

    def sign_in(self, contact, code):
        return self.sys.json("POST", "/api/v1/reporter/sessions", {"contact": contact, "code": code}, self.client)

    def signed_in(self, address):
        before = self.mails_to(address)
        status, _, _ = self.ask_code(address)
        self.assertEqual(status, 202)
        status, _, doc = self.sign_in(address, self.mailed_code(address, before))
        self.assertEqual(status, 201, doc)
        return {"Authorization": f"Bearer {doc['session']}"}

    def assert_code_forgotten(self, address, code):
        """Once the codes to the address are delivered, the words (the code in clear: subject, text,
        HTML, SMS payload) are gone from their delivery rows."""
        self.sys.wait_for(lambda: self.sys.db.scalar(
            "SELECT count(*) > 0 AND count(*) FILTER (WHERE status <> 'delivered') = 0 FROM deliveries "
            f"WHERE event_type = 'reporter.code' AND lower(recipient) = '{address}'") == "t", 20,
            f"the codes to {address} delivered")
        self.assertEqual(self.sys.db.scalar(
            "SELECT count(*) FROM deliveries WHERE event_type = 'reporter.code' "
            f"AND concat(subject, body_text, body_html, payload) LIKE '%{code}%'"), "0")

    def reporter_view(self, tracking_id, token):
        status, _, doc = self.sys.json("GET", f"/api/v1/reports/{tracking_id}",
                                       headers={"Authorization": f"Bearer {token}"})
        self.assertEqual(status, 200, doc)
        return doc["reporter_view"]

    def test_code_by_mail_lists_exactly_that_reporters_reports_and_recovers_a_token(self):
        first, _ = self.submit(email="ani@example.org", title="Lampu jalan mati di Batam Centre")
        second, lost = self.submit(email="ANI@Example.org", title="Sampah menumpuk di pinggir jalan")
        self.submit(email="budi@example.org", title="Laporan orang lain")
        status, hdrs, doc = self.ask_code("Ani@example.org")
        self.assertEqual(status, 202, doc)
        self.assertEqual(hdrs.get("cache-control"), "no-store")
        code = self.mailed_code("ani@example.org")
        status, _, session = self.sign_in("ani@example.org ", code)
        self.assertEqual(status, 201, session)
        self.assertTrue(session["expires_at"])
        auth = {"Authorization": f"Bearer {session['session']}"}
        status, _, listed = self.sys.json("GET", "/api/v1/reporter/reports", headers=auth)
        self.assertEqual(status, 200, listed)
        self.assertEqual([i["tracking_id"] for i in listed["items"]], [second, first], "newest first, only hers")
        self.assertEqual(listed["items"][0]["public_status"], "not_yet_verified")

        self.assertTrue(self.reporter_view(second, lost))
        status, _, recovered = self.sys.json("POST", f"/api/v1/reporter/reports/{second}/token", headers=auth)
        self.assertEqual(status, 200, recovered)
        self.assertEqual(recovered["tracking_id"], second)
        self.assertFalse(self.reporter_view(second, lost), "the old token stops working")
        self.assertTrue(self.reporter_view(second, recovered["reporter_token"]))

        other, _ = self.submit(email="citra@example.org")
        status, _, _ = self.sys.json("POST", f"/api/v1/reporter/reports/{other}/token", headers=auth)
        self.assertEqual(status, 404, "someone else's report")
        status, _, again = self.sign_in("ani@example.org", code)
        self.assertEqual(status, 422, "a used code opens nothing again")
        self.assertEqual(again["errors"][0]["field"], "code")
        self.assert_not_logged(code, session["session"], recovered["reporter_token"], "ani@example.org")
        self.assert_code_forgotten("ani@example.org", code)

    def assert_not_logged(self, *secrets):
        """No service's log (at debug level) holds a code, a session, a token or a contact."""
        for name in os.listdir(self.sys.workdir):
            if name.endswith(".log"):
                with open(os.path.join(self.sys.workdir, name), encoding="utf-8", errors="replace") as log:
                    text = log.read().lower()
                for secret in secrets:
                    self.assertNotIn(secret.lower(), text, f"{name} logs a secret or a contact")

    def test_no_or_unknown_session_is_refused(self):
        status, hdrs, _ = self.sys.json("GET", "/api/v1/reporter/reports")
        self.assertEqual(status, 401)
        status, _, _ = self.sys.json("GET", "/api/v1/reporter/reports", headers={"Authorization": "Bearer " + "x" * 43})
        self.assertEqual(status, 403)

    def test_unknown_contact_answers_identically_and_gets_nothing(self):
        self.submit(email="dewi@example.org")
        known = self.ask_code("dewi@example.org")
        unknown = self.ask_code("nobody@example.org")
        self.assertEqual((known[0], known[2]), (unknown[0], unknown[2]))
        self.mailed_code("dewi@example.org")
        time.sleep(1)
        self.assertEqual(self.mails_to("nobody@example.org"), 0)
        self.assertEqual(self.sys.db.scalar("SELECT count(*) FROM reporter_codes WHERE contact_key = "
                                            "'email:nobody@example.org'"), "1", "rate limits and codes alike")

    def test_wrong_code_five_times_kills_the_code(self):
        self.submit(email="eka@example.org")
        self.ask_code("eka@example.org")
        code = self.mailed_code("eka@example.org")
        wrong = f"{(int(code) + 1) % 100000000:08d}"
        for _ in range(5):
            status, _, _ = self.sign_in("eka@example.org", wrong)
            self.assertEqual(status, 422)
        status, _, doc = self.sign_in("eka@example.org", code)
        self.assertEqual(status, 422, f"the right code after five wrong tries: {doc}")

    def test_expired_code_is_refused(self):
        self.submit(email="fajar@example.org")
        self.ask_code("fajar@example.org")
        code = self.mailed_code("fajar@example.org")
        self.sys.db.scalar("UPDATE reporter_codes SET expires_at = now() - interval '1 second' "
                           "WHERE contact_key = 'email:fajar@example.org'")
        status, _, _ = self.sign_in("fajar@example.org", code)
        self.assertEqual(status, 422)

    def code_mail(self, address, after=0):
        """The index entry of the first code mail to the address after the first `after` ones (a code
        mail, whatever its template says, has the code in its subject; a report's mails have none)."""
        def found():
            mails = [m for m in self.sys.mail.messages() if address in [r.lower() for r in m["rcpt_tos"]]
                     and CODE.search(m["subject"] or "")]
            return (mails[after:] or [None])[0]
        return self.sys.wait_for(found, 20, f"a code mailed to {address}")

    def stored_template(self, language):
        return self.sys.db.scalar("SELECT json_build_object('subject', subject, 'text_body', text_body, "
                                  "'html_body', html_body)::text FROM notification_templates "
                                  f"WHERE template = 'sign_in_code' AND language = '{language}'")

    def test_code_mail_is_the_sign_in_code_template_and_an_admins_edit_is_the_next_one(self):
        self.submit(email="hana@example.org")
        tid, token = self.submit(email="hana.en@example.org", title="Broken street light near the market")
        status, _, doc = self.sys.json("PUT", f"/api/v1/reports/{tid}/notifications", {"language": "en"},
                                       {"Authorization": f"Bearer {token}"})
        self.assertEqual(status, 200, doc)
        for address, language in (("hana@example.org", "id"), ("hana.en@example.org", "en")):
            with self.subTest(language=language):
                template = json.loads(self.stored_template(language))
                self.assertEqual(self.ask_code(address)[0], 202)
                entry = self.code_mail(address)
                mail = self.sys.mail.message(entry)
                code = CODE.search(entry["subject"]).group(1)
                filled = {k: v.replace("{{code}}", code).replace("{{valid_minutes}}", "10") for k, v in template.items()}
                self.assertEqual(entry["subject"], filled["subject"])
                self.assertEqual(mail.get_body(("plain",)).get_content().strip(), filled["text_body"])
                self.assertIn(f"<strong>{code}</strong>", mail.get_body(("html",)).get_content())

        self.sys.create_staff("nas", "national_admin", "NASIONAL")
        admin = self.sys.login("nas")
        old = json.loads(self.stored_template("id"))
        edited = {"template": "sign_in_code", "language": "id", "subject": "Laporan saya: kode {{code}}",
                  "text_body": "Masukkan {{code}} dalam {{valid_minutes}} menit.",
                  "html_body": "<p>Masukkan <b>{{code}}</b> dalam {{valid_minutes}} menit.</p>"}
        status, _, doc = self.sys.json("POST", "/api/v1/admin/templates", edited, admin)
        self.assertEqual(status, 200, doc)
        self.addCleanup(self.sys.json, "POST", "/api/v1/admin/templates", dict(edited, **old), admin)
        self.assertEqual(self.ask_code("hana@example.org")[0], 202)
        entry = self.code_mail("hana@example.org", after=1)
        code = CODE.search(entry["subject"]).group(1)
        self.assertEqual(entry["subject"], f"Laporan saya: kode {code}")
        self.assertEqual(self.sys.mail.message(entry).get_body(("plain",)).get_content().strip(),
                         f"Masukkan {code} dalam 10 menit.")
        status, _, session = self.sign_in("hana@example.org", code)
        self.assertEqual(status, 201, "the edited mail's code opens the session")
        self.assert_code_forgotten("hana@example.org", code)

    def test_code_by_sms_through_the_provider(self):
        tid, _ = self.submit(phone="+62 812-7000-5555")
        status, _, _ = self.ask_code("0812 7000 5555")
        self.assertEqual(status, 202)
        body = self.sys.wait_for(lambda: next((r["body"] for r in self.sms.received
                                               if r["body"]["event_type"] == "reporter.code"), None),
                                 20, f"the code by SMS (refused: {self.sms.rejected})")
        self.assertEqual(body["to"], "+62 812-7000-5555")
        self.assertEqual(body["event_type"], "reporter.code")
        status, _, session = self.sign_in("+6281270005555", CODE.search(body["text"]).group(1))
        self.assertEqual(status, 201, session)
        status, _, listed = self.sys.json("GET", "/api/v1/reporter/reports",
                                          headers={"Authorization": f"Bearer {session['session']}"})
        self.assertEqual([i["tracking_id"] for i in listed["items"]], [tid])

    def test_codes_are_rate_limited_per_contact_and_per_address(self):
        # per contact: eight at once from eight addresses, the ninth refused
        for i in range(8):
            status, _, _ = self.ask_code("gita@example.org", {"X-Forwarded-For": f"203.0.113.{i + 1}"})
            self.assertEqual(status, 202)
        status, hdrs, _ = self.ask_code("gita@example.org", {"X-Forwarded-For": "203.0.113.100"})
        self.assertEqual(status, 429)
        self.assertIn("retry-after", hdrs)
        # per address: eight contacts from one address, the ninth refused
        for i in range(8):
            status, _, _ = self.ask_code(f"orang{i}@example.org")
            self.assertEqual(status, 202)
        status, _, _ = self.ask_code("orang9@example.org")
        self.assertEqual(status, 429)

    def test_openapi_describes_the_routes(self):
        status, _, doc = self.sys.json("GET", "/api/v1/openapi.json")
        self.assertEqual(status, 200)
        for path in ("/api/v1/reporter/codes", "/api/v1/reporter/sessions", "/api/v1/reporter/reports",
                     "/api/v1/reporter/reports/{tracking_id}/token", "/laporan-saya"):
            self.assertIn(path, doc["paths"])

    def test_invalid_contact_is_a_field_error(self):
        status, _, doc = self.ask_code("bukan alamat")
        self.assertEqual(status, 422)
        self.assertEqual(doc["errors"][0]["field"], "contact")


if __name__ == "__main__":
    unittest.main()
