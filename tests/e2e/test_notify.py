"""End to end: aduan-notify telling people through real parts — a real SMTP server (aiosmtpd) and a
real webhook receiver that checks every signature — while reports go through their life in
gateway, intake, verify, route and the event hub."""
import datetime
import json
import threading
import time
import unittest

from aduan_harness import System, SystemTestCase, valid_report
from webhook_receiver import WebhookReceiver

STAFF = {
    "nas": ("national_admin", "NASIONAL", "nas@kemenpan.example.go.id"),
    "prov": ("institution_admin", "PROV-21", None),
    "kota": ("institution_admin", "KOTA-21.71", "admin@batam.example.go.id"),
    "pupr": ("unit_liaison", "KOTA-21.71.PUPR", "pupr@batam.example.go.id"),
    "dinsos": ("unit_liaison", "KOTA-21.71.DINSOS", None),
    "tpi": ("institution_admin", "KOTA-21.72", None),
    "analis": ("analyst", "PROV-21", None),
}


class NotifyCase(SystemTestCase):
    """Helpers shared by the suites below; each suite starts its own System."""
    notify_env = {}
    mail_auth = None

    @classmethod
    def setUpClass(cls):
        cls.sys = System(cls.__name__.lower(), lifecycle=True, notify=True, notify_env=cls.notify_env,
                         mail_auth=cls.mail_auth).start()
        cls.auth = {}
        for name, (role, institution, email) in STAFF.items():
            cls.sys.create_staff(name, role, institution, email=email)
            cls.auth[name] = cls.sys.login(name)
        cls.receivers = []

    @classmethod
    def tearDownClass(cls):
        try:
            for receiver in cls.receivers:
                receiver.stop()
        finally:
            super().tearDownClass()

    def submit(self, **overrides):
        status, _, doc = self.sys.json("POST", "/api/v1/reports", valid_report(**overrides))
        self.assertEqual(status, 201, doc)
        return doc["tracking_id"], {"Authorization": f"Bearer {doc['reporter_token']}"}

    def act_ok(self, tracking_id, who, action, **fields):
        status, doc = self.sys.act(tracking_id, self.auth[who] if isinstance(who, str) else who, action, **fields)
        self.assertEqual(status, 200, doc)
        return doc

    def staff_view(self, tracking_id, who="nas"):
        status, _, doc = self.sys.json("GET", f"/api/v1/staff/reports/{tracking_id}", headers=self.auth[who])
        self.assertEqual(status, 200, doc)
        return doc

    def dispatched(self, **overrides):
        """A report verified and routed to its unit (road damage in Batam → KOTA-21.71.PUPR)."""
        tid, reporter = self.submit(**overrides)
        self.act_ok(tid, "nas", "verify")
        self.sys.wait_for(lambda: self.staff_view(tid)["status"] == "dispatched", 20, f"{tid} dispatched")
        return tid, reporter

    def mails_for(self, tracking_id, to=None):
        return [m for m in self.sys.mail.messages()
                if tracking_id in (m["subject"] or "") and (to is None or to in m["rcpt_tos"])]

    def wait_mails(self, tracking_id, count, to=None, timeout=20):
        return self.sys.wait_for(lambda: (lambda ms: ms if len(ms) >= count else None)(self.mails_for(tracking_id, to)),
                                 timeout, f"{count} mails about {tracking_id}")

    def deliveries(self, tracking_id, who="nas", **filters):
        query = "&".join([f"report={tracking_id}"] + [f"{k}={v}" for k, v in filters.items()])
        status, _, doc = self.sys.json("GET", f"/api/v1/deliveries?{query}", headers=self.auth[who])
        self.assertEqual(status, 200, doc)
        return doc["items"]

    def inbox(self, who, unread=False):
        status, _, doc = self.sys.json("GET", "/api/v1/inbox" + ("?unread=true" if unread else ""),
                                       headers=self.auth[who])
        self.assertEqual(status, 200, doc)
        return doc

    def receiver(self):
        receiver = WebhookReceiver()
        receiver.start()
        type(self).receivers.append(receiver)
        return receiver

    def register(self, who, receiver, **fields):
        status, _, doc = self.sys.json("POST", "/api/v1/webhooks", {"url": receiver.url(), **fields},
                                       headers=self.auth[who])
        self.assertEqual(status, 201, doc)
        receiver.secret = doc["secret"]
        return doc

    def move_clock_to(self, iso, seconds_after):
        target = datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() + seconds_after
        now = time.time() + self.sys.clock_offset()
        self.assertGreater(target, now, "the clock only moves forward")
        self.sys.advance_days((target - now) / 86400)


class ReporterAndStaff(NotifyCase):
    def test_reporter_hears_every_step_in_indonesian_with_text_and_html(self):
        tid, reporter = self.dispatched(title="Jalan berlubang <dekat> pasar & terminal")
        self.act_ok(tid, "pupr", "follow_up", note="Lubang ditambal hari Senin.")
        view = self.staff_view(tid)
        auto_close = [c for c in view["clocks"] if c["kind"] == "reporter_reply" and c["ended_at"] is None][0]
        warn_at = self.sys.db.scalar(
            "SELECT iso_utc(warn_at) FROM report_deadlines d JOIN reports r ON r.id = d.report_id "
            f"WHERE r.tracking_id = '{tid}' AND d.kind = 'reporter_reply' AND d.ended_at IS NULL")
        self.move_clock_to(warn_at, 60)
        mails = self.wait_mails(tid, 4, to="siti.rahma@example.org")
        self.move_clock_to(auto_close["due_at"], 60)
        mails = self.wait_mails(tid, 5, to="siti.rahma@example.org")
        # Two mails to one address may be sent at once, so they may arrive in either order: put
        # them in the order of the events they tell of (the Message-ID is the delivery id).
        self.sys.wait_for(lambda: len([d for d in self.deliveries(tid, channel="email")
                                       if d["recipient_kind"] == "reporter"]) == 5, 10, "the deliveries listed")
        seq = {d["delivery_id"]: d["event_seq"] for d in self.deliveries(tid, channel="email")}
        mails.sort(key=lambda m: seq[m["message_id"].strip("<>").split("@")[0]])
        subjects = [m["subject"] for m in mails]
        self.assertEqual(subjects, [
            f"Laporan {tid} telah kami terima",
            f"Laporan {tid} diteruskan ke Dinas Pekerjaan Umum dan Penataan Ruang Kota Batam",
            f"Tindak lanjut laporan {tid}",
            subjects[3] if subjects[3].startswith(f"Laporan {tid} akan ditutup setelah 20") else "closing soon",
            f"Laporan {tid} selesai",
        ])
        follow_up = self.sys.mail.message(mails[2])
        text = follow_up.get_body(("plain",)).get_content()
        html = follow_up.get_body(("html",)).get_content()
        self.assertIn("Lubang ditambal hari Senin.", text)
        self.assertIn(f"https://lapor.example.go.id/lapor/{tid}", text)
        received = self.sys.mail.message(mails[0]).get_body(("html",)).get_content()
        self.assertIn("Jalan berlubang &lt;dekat&gt; pasar &amp; terminal", received, "content is escaped in HTML")
        self.assertIn("Kota Batam", html)
        # The Message-ID is the delivery id: the proof in /deliveries names the very message. (The
        # sink stores a message before it answers, so the outcome is recorded a moment later.)
        self.sys.wait_for(lambda: len([d for d in self.deliveries(tid, channel="email", status="delivered")
                                       if d["recipient_kind"] == "reporter"]) == 5, 10, "the outcomes recorded")
        proof = {d["delivery_id"]: d for d in self.deliveries(tid, channel="email")}
        for mail in mails:
            delivery_id = mail["message_id"].strip("<>").split("@")[0]
            self.assertEqual(proof[delivery_id]["status"], "delivered")
            self.assertEqual(proof[delivery_id]["recipient"], "reporter")
            self.assertEqual(proof[delivery_id]["attempt_log"][0]["outcome"], "delivered")

    def test_reporter_switches_to_english_then_turns_notifications_off(self):
        tid, reporter = self.submit()
        self.wait_mails(tid, 1, to="siti.rahma@example.org")
        status, _, doc = self.sys.json("PUT", f"/api/v1/reports/{tid}/notifications", {"language": "en"},
                                       headers={"Authorization": "Bearer wrong-token"})
        self.assertEqual(status, 404, doc)
        for wrong in ({"language": "fr"}, {}, {"enabled": "no"}):
            status, _, doc = self.sys.json("PUT", f"/api/v1/reports/{tid}/notifications", wrong, reporter)
            self.assertEqual(status, 422, (wrong, doc))
        status, _, doc = self.sys.json("PUT", f"/api/v1/reports/{tid}/notifications", {"language": "en"}, reporter)
        self.assertEqual((status, doc["enabled"], doc["language"]), (200, True, "en"), doc)
        self.act_ok(tid, "nas", "verify")
        mails = self.wait_mails(tid, 2, to="siti.rahma@example.org")
        self.assertEqual(mails[1]["subject"],
                         f"Your report {tid} went to Dinas Pekerjaan Umum dan Penataan Ruang Kota Batam")
        status, _, doc = self.sys.json("PUT", f"/api/v1/reports/{tid}/notifications", {"enabled": False}, reporter)
        self.assertEqual((status, doc["enabled"]), (200, False), doc)
        status, _, doc = self.sys.json("PUT", f"/api/v1/reports/{tid}/notifications", {"enabled": False}, reporter)
        self.assertEqual((status, doc["enabled"]), (200, False), doc)
        self.assert_preference_events(tid, [(True, "en"), (False, "en")])
        witness = self.receiver()
        self.register("nas", witness, event_types=["report.followed_up"])
        self.act_ok(tid, "pupr", "follow_up", note="Sudah ditambal.")
        # One transaction writes all deliveries of an event: once the witness hears of the follow-up,
        # the reporter's delivery would exist too, had they not turned notifications off.
        self.sys.wait_for(lambda: [r for r in witness.received if r["body"]["event"]["report"] == tid], 20,
                          "notify to handle the follow-up")
        self.assertEqual(len(self.mails_for(tid, to="siti.rahma@example.org")), 2)
        reporter_deliveries = [d for d in self.deliveries(tid) if d["recipient_kind"] == "reporter"]
        self.assertEqual(len(reporter_deliveries), 2)

    def assert_preference_events(self, tid, expected):
        """Each change (and no repetition) appended report.notifications_changed with the tracking id and
        the settings only: no contact data, no reporter identity."""
        rows = self.sys.db.scalar(
            "SELECT string_agg(concat_ws('|', actor_role, COALESCE(actor_id, '-'), encode(payload, 'hex')), E'\\n' "
            f"ORDER BY id) FROM events WHERE type = 'report.notifications_changed' AND tracking_id = '{tid}'")
        events = [line.split("|") for line in rows.splitlines()] if rows else []
        self.assertEqual(len(events), len(expected), events)
        for (role, actor_id, payload), (enabled, language) in zip(events, expected):
            self.assertEqual((role, actor_id), ("reporter", "-"))
            # exactly the msgpack map {"enabled": bool, "language": str}, nothing else
            self.assertEqual(bytes.fromhex(payload), b"\x82\xa7enabled" + (b"\xc3" if enabled else b"\xc2")
                             + b"\xa8language\xa2" + language.encode())

    def test_units_staff_hear_in_inbox_and_by_email_and_mark_read(self):
        tid, _ = self.dispatched()
        pupr_mail = self.wait_mails(tid, 1, to="pupr@batam.example.go.id")
        self.assertEqual(pupr_mail[0]["subject"],
                         f"Laporan baru untuk Dinas Pekerjaan Umum dan Penataan Ruang Kota Batam: {tid}")
        inbox = self.sys.wait_for(lambda: [i for i in self.inbox("pupr", unread=True)["items"]
                                           if i["tracking_id"] == tid], 20, "the inbox item")
        self.assertEqual(inbox[0]["event_type"], "report.dispatched")
        self.assertIn("Jalan berlubang di depan pasar", inbox[0]["body"])
        self.assertFalse([i for i in self.inbox("dinsos")["items"] if i["tracking_id"] == tid],
                         "another unit hears nothing")
        unread = self.inbox("pupr", unread=True)["unread"]
        status, _, _ = self.sys.request("POST", f"/api/v1/inbox/{inbox[0]['id']}/read", headers=self.auth["dinsos"])
        self.assertEqual(status, 404, "nobody marks another member's inbox")
        status, _, _ = self.sys.request("POST", f"/api/v1/inbox/{inbox[0]['id']}/read", headers=self.auth["pupr"])
        self.assertEqual(status, 204)
        self.assertEqual(self.inbox("pupr", unread=True)["unread"], unread - 1)
        status, _, _ = self.sys.request("POST", "/api/v1/inbox/read", headers=self.auth["pupr"])
        self.assertEqual(status, 204)
        self.assertEqual(self.inbox("pupr", unread=True)["unread"], 0)
        status, _, _ = self.sys.request("GET", "/api/v1/inbox")
        self.assertEqual(status, 401)

    def test_missed_deadline_reaches_the_admins_above_once(self):
        tid, _ = self.dispatched()
        follow_up = [c for c in self.staff_view(tid)["clocks"] if c["kind"] == "follow_up" and c["ended_at"] is None][0]
        self.move_clock_to(follow_up["due_at"], 60)
        for who in ("kota", "prov", "nas"):
            self.sys.wait_for(lambda: [i for i in self.inbox(who)["items"]
                                       if i["tracking_id"] == tid and i["event_type"] == "report.deadline_missed"],
                              20, f"{who} to hear of the missed deadline")
        mails = self.wait_mails(tid, 1, to="admin@batam.example.go.id")
        self.assertTrue(any(m["subject"].startswith(f"Tenggat terlewat: {tid}") for m in mails), mails)
        for who in ("pupr", "dinsos", "tpi", "analis"):
            self.assertFalse([i for i in self.inbox(who)["items"]
                              if i["tracking_id"] == tid and i["event_type"] == "report.deadline_missed"], who)
        time.sleep(2.5)  # more sweeps and a replay must not tell anyone twice
        missed = [d for d in self.deliveries(tid) if d["event_type"] == "report.deadline_missed"]
        self.assertEqual(len(missed), len({(d["channel"], d["recipient"]) for d in missed}))

    def test_deliveries_are_scoped_and_never_show_the_reporters_address(self):
        tid, _ = self.dispatched()
        self.wait_mails(tid, 2, to="siti.rahma@example.org")
        kota = self.deliveries(tid, "kota")
        self.assertTrue(kota)
        self.assertEqual(self.deliveries(tid, "tpi"), [], "another city sees none of it")
        raw = json.dumps(self.deliveries(tid))
        self.assertNotIn("siti.rahma@example.org", raw)
        view = self.staff_view(tid, "kota")
        self.assertTrue(view["deliveries"])
        self.assertNotIn("siti.rahma@example.org", json.dumps(view["deliveries"]))
        self.assertTrue(all(d["status"] == "delivered" for d in self.deliveries(tid, "kota", channel="inbox")))
        status, _, doc = self.sys.json("GET", "/api/v1/deliveries", headers=None)
        self.assertEqual(status, 401)
        # The sink has a mail as soon as it takes its DATA; the sender counts the attempt once it
        # has read the sink's answer and recorded the outcome, a moment later. A page read in
        # between showed the mails still in flight (CI rehearsal under ASan, stop 31), so the
        # page is awaited with every family on it.
        families = ('aduan_deliveries_queued{channel="email"}',
                    'aduan_delivery_attempts_total{channel="email",outcome="delivered"}',
                    'aduan_delivery_seconds_bucket{channel="email"', "aduan_deliveries_in_flight",
                    'aduan_consumer_lag_events{group="notify"}')
        self.sys.wait_for(lambda: all(f in self.sys.notify.admin_get("/metrics")[1] for f in families), 10,
                          f"every one of {families} in notify's /metrics")
        some = kota[0]["delivery_id"]
        status, _, doc = self.sys.json("POST", f"/api/v1/deliveries/{some}/resend", headers=self.auth["pupr"])
        self.assertEqual(status, 403, doc)
        status, _, doc = self.sys.json("POST", f"/api/v1/deliveries/{some}/resend", headers=self.auth["kota"])
        self.assertEqual((status, doc["type"].rsplit("/", 1)[-1]), (409, "not-resendable"), doc)


class Webhooks(NotifyCase):
    notify_env = {"ADUAN_HTTP_TIMEOUT_MS": "6000"}   # the slow receiver below takes 3 s to answer

    def test_signed_events_of_the_subtree_and_types_asked_for(self):
        receiver = self.receiver()
        hook = self.register("kota", receiver, event_types=["report.dispatched", "report.followed_up"],
                             description="dasbor Batam")
        self.assertEqual(hook["institution"], "KOTA-21.71")
        self.assertGreaterEqual(len(hook["secret"]), 32)
        status, _, doc = self.sys.json("GET", "/api/v1/webhooks", headers=self.auth["kota"])
        self.assertNotIn("secret", json.dumps(doc), "the secret is shown once")
        tid, _ = self.dispatched()
        self.act_ok(tid, "pupr", "follow_up", note="Ditambal.")
        elsewhere, _ = self.dispatched(region="21.72")
        self.assertTrue(receiver.wait_for(2, 20), receiver.received)
        time.sleep(1.0)
        self.assertEqual(receiver.rejected, [], "every signature verifies")
        # Deliveries to one receiver may overlap, so their order is not promised (docs/notifications.md).
        self.assertEqual(sorted(r["event_type"] for r in receiver.received), ["report.dispatched", "report.followed_up"])
        for r in receiver.received:
            self.assertEqual(r["body"]["event"]["report"], tid)
            self.assertEqual(r["body"]["delivery_id"], r["delivery_id"])
            self.assertEqual(r["body"]["webhook_id"], hook["id"])
        self.assertEqual(sorted(receiver.delivery_ids()),
                         sorted(d["delivery_id"] for d in self.deliveries(tid, "kota", channel="webhook")))
        self.assertFalse(any(r["body"]["event"]["report"] == elsewhere for r in receiver.received))

    def test_a_webhooks_delivery_log_lists_its_own_deliveries_only(self):
        first, second = self.receiver(), self.receiver()
        hooks = [self.register("kota", r, event_types=["report.dispatched"]) for r in (first, second)]
        for hook in hooks:   # switched off afterwards: the other tests' receivers count their own deliveries
            self.addCleanup(self.sys.request, "DELETE", f"/api/v1/webhooks/{hook['id']}", headers=self.auth["kota"])
        tid, _ = self.dispatched()
        self.assertTrue(first.wait_for(1, 20) and second.wait_for(1, 20))
        for hook, receiver in zip(hooks, (first, second)):
            listed = self.deliveries(tid, "kota", webhook=hook["id"])
            self.assertEqual([(d["webhook_id"], d["delivery_id"]) for d in listed],
                             [(hook["id"], receiver.delivery_ids()[0])], "the webhook's own delivery only")
        for nothing in ("x1", "0", str(hooks[1]["id"] + 1000)):
            self.assertEqual(self.deliveries(tid, "kota", webhook=nothing), [], nothing)

    def test_only_admins_of_the_subtree_register(self):
        receiver = self.receiver()
        for who, body, expected in (("tpi", {"institution": "KOTA-21.71"}, 403), ("pupr", {}, 403),
                                    ("analis", {}, 403), ("kota", {"url": "ftp://x"}, 422),
                                    ("kota", {"event_types": ["nope"]}, 422), ("kota", {"institution": "NOPE"}, 422)):
            status, _, doc = self.sys.json("POST", "/api/v1/webhooks", {"url": receiver.url(), **body},
                                           headers=self.auth[who])
            self.assertEqual(status, expected, (who, body, doc))
        hook = self.register("prov", receiver, institution="KOTA-21.72")
        status, _, _ = self.sys.request("DELETE", f"/api/v1/webhooks/{hook['id']}", headers=self.auth["kota"])
        self.assertEqual(status, 404, "outside Batam's subtree")
        status, _, _ = self.sys.request("DELETE", f"/api/v1/webhooks/{hook['id']}", headers=self.auth["tpi"])
        self.assertEqual(status, 204)
        status, _, doc = self.sys.json("GET", "/api/v1/webhooks", headers=self.auth["tpi"])
        removed = [w for w in doc["items"] if w["id"] == hook["id"]][0]
        self.assertEqual((removed["active"], removed["disabled_reason"]), (False, "removed by tpi"))

    def test_a_receiver_answering_410_is_switched_off(self):
        receiver = self.receiver()
        receiver.respond(status=410)
        hook = self.register("kota", receiver, institution="KOTA-21.71.PUPR")
        tid, _ = self.dispatched()
        self.assertTrue(receiver.wait_for(1, 20))
        status, _, doc = self.sys.wait_for(
            lambda: (lambda r: r if not [w for w in r[2]["items"] if w["id"] == hook["id"]][0]["active"] else None)(
                self.sys.json("GET", "/api/v1/webhooks", headers=self.auth["kota"])), 20, "the webhook switched off")
        listed = [w for w in doc["items"] if w["id"] == hook["id"]][0]
        self.assertIn("410", listed["disabled_reason"])
        dead = self.deliveries(tid, "kota", channel="webhook")
        self.assertEqual([(d["status"], d["attempts"]) for d in dead], [("dead", 1)])
        status, _, doc = self.sys.json("POST", f"/api/v1/deliveries/{dead[0]['delivery_id']}/resend",
                                       headers=self.auth["kota"])
        self.assertEqual(status, 409, "a switched-off receiver is not sent to again")
        self.act_ok(tid, "pupr", "follow_up", note="Ditambal.")
        time.sleep(1.5)
        self.assertEqual(len(receiver.received), 1, "nothing more goes to it")

    def test_a_slow_receiver_does_not_hold_up_email(self):
        slow = self.receiver()
        answer = threading.Event()
        slow.respond(until=answer)
        self.register("nas", slow, event_types=["report.submitted"])
        try:
            tids = [self.submit(title=f"Lampu jalan padam nomor {i}", category="JALAN.PJU")[0] for i in range(6)]
            # The receiver answers nothing yet: every mail goes out while its requests wait, two
            # at a time, so the sixth cannot have arrived.
            for tid in tids:
                self.wait_mails(tid, 1, timeout=30)
            self.assertLess(len(slow.received), 6, "the webhook's requests did not wait for one another")
        finally:
            answer.set()
        self.assertTrue(slow.wait_for(6, 30))
        self.assertEqual(slow.rejected, [])


class SmsAndSmtpAuth(NotifyCase):
    """An SMS provider reached as a signed webhook, and a mail server that demands AUTH."""
    sms = None
    mail_auth = ("aduan", "sandi-rahasia-smtp")

    @classmethod
    def setUpClass(cls):
        cls.sms = WebhookReceiver(secret="s" * 40)
        cls.sms.start()
        cls.notify_env = {"ADUAN_SMS_URL": cls.sms.url("/sms"), "ADUAN_SMS_SECRET": cls.sms.secret}
        super().setUpClass()
        cls.receivers.append(cls.sms)

    def test_reporter_with_a_phone_gets_sms_through_the_provider_and_mail_after_auth(self):
        tid, _ = self.submit()
        self.assertTrue(self.sms.wait_for(1, 20), self.sms.rejected)
        body = self.sms.received[0]["body"]
        self.assertEqual((body["to"], body["report"], body["event_type"], body["language"]),
                         ("+62 812-7000-1234", tid, "report.submitted", "id"))
        self.assertIn(tid, body["text"])
        self.assertEqual(body["delivery_id"], self.sms.received[0]["delivery_id"])
        self.assertEqual(self.sms.rejected, [])
        self.wait_mails(tid, 1, to="siti.rahma@example.org")
        # The provider has the message before notify records its answer: wait for the record.
        sms = self.sys.wait_for(lambda: [d for d in self.deliveries(tid, channel="sms") if d["status"] != "sending"],
                                what="the SMS delivery's outcome")
        self.assertEqual([(d["recipient"], d["status"]) for d in sms], [("reporter", "delivered")])
        self.assertNotIn("7000-1234", json.dumps(sms), "staff never see the reporter's number")


class DeadLetters(NotifyCase):
    notify_env = {"ADUAN_DELIVERY_ATTEMPTS": "3", "ADUAN_RETRY_BASE_MS": "100", "ADUAN_RETRY_CAP_MS": "200"}

    def test_a_mail_kept_but_answered_after_the_time_limit_is_sent_again_with_its_id(self):
        # The server keeps the message, then answers after aduan-notify's SMTP time limit (5 s): the
        # attempt fails on the time-out, and the same delivery goes again (at least once).
        self.sys.mail.answer_late("lambat@example.org", 6.5)
        tid, _ = self.submit(reporter={"name": "Lambat", "email": "lambat@example.org"})
        mails = self.wait_mails(tid, 2, to="lambat@example.org", timeout=30)
        self.assertEqual(len({m["message_id"] for m in mails}), 1, "the same Message-ID both times")
        done = self.sys.wait_for(lambda: [d for d in self.deliveries(tid, channel="email", status="delivered")
                                          if d["recipient_kind"] == "reporter"], 20, "the delivery recorded")
        log = done[0]["attempt_log"]
        self.assertEqual([a["outcome"] for a in log], ["failed", "delivered"], log)
        self.assertRegex(log[0]["detail"], r"time(d)? ?out")   # curl: "server response timeout" or "timed out"

    def test_used_up_attempts_make_a_dead_letter_that_an_admin_resends(self):
        receiver = self.receiver()
        receiver.respond(status=503)
        self.register("kota", receiver, event_types=["report.dispatched"])
        tid, _ = self.dispatched()
        dead = self.sys.wait_for(lambda: self.deliveries(tid, "kota", channel="webhook", status="dead"), 30,
                                 "the delivery to die")
        self.assertEqual(dead[0]["attempts"], 3)
        self.assertEqual([a["outcome"] for a in dead[0]["attempt_log"]], ["failed"] * 3)
        self.assertEqual(dead[0]["last_error"], "HTTP 503")
        self.assertEqual(len(receiver.received), 3)
        receiver.respond(status=204)
        status, _, doc = self.sys.json("POST", f"/api/v1/deliveries/{dead[0]['delivery_id']}/resend",
                                       headers=self.auth["pupr"])
        self.assertEqual(status, 403)
        status, _, doc = self.sys.json("POST", f"/api/v1/deliveries/{dead[0]['delivery_id']}/resend",
                                       headers=self.auth["kota"])
        self.assertEqual((status, doc["status"]), (202, "pending"), doc)
        done = self.sys.wait_for(lambda: self.deliveries(tid, "kota", channel="webhook", status="delivered"), 20,
                                 "the re-sent delivery")
        self.assertEqual(done[0]["attempts"], 4)
        self.assertEqual(receiver.delivery_ids(), [dead[0]["delivery_id"]] * 4, "the same delivery id every time")


if __name__ == "__main__":
    unittest.main(verbosity=2)
