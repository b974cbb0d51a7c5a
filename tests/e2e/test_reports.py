"""End to end: HTTP through aduan-gateway, ZeroMQ to aduan-intake, rows in PostgreSQL."""
import json
import re
import sys
import threading
import time
import unittest
import uuid

from aduan_harness import Service, System, SystemTestCase, free_port, photo_form, valid_report

TRACKING_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
REPORT_TABLES = ("reports", "report_actions", "submission_keys")


class SystemTest(SystemTestCase):
    hint = "e2e"

    @classmethod
    def setUpClass(cls):
        cls.sys = System(cls.hint).start()

    def submit(self, report=None, headers=None):
        return self.sys.json("POST", "/api/v1/reports", report or valid_report(), headers)

    def counts(self):
        return {t: self.sys.db.count(t) for t in REPORT_TABLES}

    def assertProblem(self, status, hdrs, doc, expected_status):
        self.assertEqual(status, expected_status, doc)
        self.assertTrue(hdrs["content-type"].startswith("application/problem+json"), hdrs)
        for key in ("type", "title", "status", "detail"):
            self.assertIn(key, doc)
        self.assertEqual(doc["status"], expected_status)


class SubmitAndTrack(SystemTest):
    hint = "track"

    def test_submitted_report_is_readable_by_tracking_id(self):
        status, hdrs, receipt = self.submit()
        self.assertEqual(status, 201, receipt)
        tid = receipt["tracking_id"]
        self.assertRegex(tid, TRACKING_RE)
        self.assertEqual(hdrs["location"], f"/api/v1/reports/{tid}")
        self.assertGreaterEqual(len(receipt["reporter_token"]), 40)
        self.assertEqual(receipt["status"], "waiting_verification")

        status, hdrs, view = self.sys.json("GET", f"/api/v1/reports/{tid}")
        self.assertEqual(status, 200, view)
        self.assertEqual(view["tracking_id"], tid)
        self.assertEqual(view["title"], valid_report()["title"])
        self.assertEqual(view["category"], "JALAN.BERLUBANG")
        self.assertEqual(view["region"], "21.71")
        self.assertEqual(view["status"], "waiting_verification")
        self.assertEqual([a["action"] for a in view["actions"]], ["submitted"])
        self.assertEqual(view["actions"][0]["actor_role"], "reporter")
        # Contact data is the reporter's alone: never in a public view.
        raw = json.dumps(view)
        self.assertNotIn("siti.rahma@example.org", raw)
        self.assertNotIn("7000-1234", raw)

    def test_tracking_id_is_accepted_as_people_type_it(self):
        _, _, receipt = self.submit()
        typed = receipt["tracking_id"].lower().replace("-", "")
        status, _, view = self.sys.json("GET", f"/api/v1/reports/{typed}")
        self.assertEqual(status, 200)
        self.assertEqual(view["tracking_id"], receipt["tracking_id"])

    def test_token_is_stored_only_hashed(self):
        _, _, receipt = self.submit()
        stored = self.sys.db.scalar(
            f"SELECT reporter_token_hash FROM reports WHERE tracking_id = '{receipt['tracking_id']}'")
        self.assertRegex(stored, r"^[0-9a-f]{64}$")
        self.assertNotEqual(stored, receipt["reporter_token"])
        self.assertEqual(self.sys.db.scalar(
            f"SELECT count(*) FROM reports WHERE reporter_token_hash LIKE '%{receipt['reporter_token'][:20]}%'"), "0")

    def test_unknown_and_malformed_ids_are_404(self):
        status, hdrs, doc = self.sys.json("GET", "/api/v1/reports/0000-0000-0000")
        self.assertProblem(status, hdrs, doc, 404)
        status, hdrs, doc = self.sys.json("GET", "/api/v1/reports/not-an-id")
        self.assertProblem(status, hdrs, doc, 404)

    def test_reference_lists_for_forms(self):
        for path, code in (("/api/v1/categories", "PU.DRAINASE"), ("/api/v1/regions", "21.05"),
                           ("/api/v1/institutions", "KOTA-21.71.PUPR")):
            status, _, doc = self.sys.json("GET", path)
            self.assertEqual(status, 200, path)
            self.assertIn(code, [item["code"] for item in doc["items"]], path)
        _, _, regions = self.sys.json("GET", "/api/v1/regions")
        batam = next(r for r in regions["items"] if r["code"] == "21.71")
        self.assertEqual(batam["parent_code"], "21")

    def test_openapi_document_describes_the_routes(self):
        status, hdrs, doc = self.sys.json("GET", "/api/v1/openapi.json")
        self.assertEqual(status, 200)
        self.assertTrue(doc["openapi"].startswith("3."))
        paths = doc["paths"].keys()
        for p in ("/api/v1/reports", "/api/v1/reports/{tracking_id}", "/api/v1/categories",
                  "/api/v1/regions", "/api/v1/institutions"):
            self.assertIn(p, paths)

    def test_unknown_route_and_wrong_method(self):
        status, hdrs, doc = self.sys.json("GET", "/api/v1/nothing-here")
        self.assertProblem(status, hdrs, doc, 404)
        status, hdrs, doc = self.sys.json("DELETE", "/api/v1/reports")
        self.assertProblem(status, hdrs, doc, 405)
        self.assertIn("POST", hdrs.get("allow", ""))


class Privacy(SystemTest):
    hint = "privacy"
    SECRET_NAME = "Budi Santoso Rahasia"
    SECRET_MAIL = "budi.secret@example.org"
    SECRET_PHONE = "+62 811 9999 0000"

    def submit_private(self, anonymous, confidential):
        report = valid_report(anonymous=anonymous, confidential=confidential,
                              title="Pungutan liar di kantor kelurahan",
                              body="Petugas meminta uang tambahan untuk surat pengantar KTP di kelurahan.",
                              reporter={"name": self.SECRET_NAME, "email": self.SECRET_MAIL,
                                        "phone": self.SECRET_PHONE})
        status, _, receipt = self.submit(report)
        self.assertEqual(status, 201, receipt)
        return receipt

    def view(self, tid, token=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        status, _, raw = self.sys.request("GET", f"/api/v1/reports/{tid}", headers=headers)
        self.assertEqual(status, 200, raw)
        return raw.decode(), json.loads(raw)

    def test_anonymous_reporter_is_nowhere_in_the_public_view(self):
        receipt = self.submit_private(anonymous=True, confidential=False)
        raw, view = self.view(receipt["tracking_id"])
        for secret in (self.SECRET_NAME, self.SECRET_MAIL, self.SECRET_PHONE, "Budi"):
            self.assertNotIn(secret, raw)
        self.assertNotIn("reporter", view)
        self.assertTrue(view["anonymous"])
        self.assertIn("Pungutan liar", raw)  # content stays public: only identity is hidden

    def test_named_reporter_shows_name_but_never_contact(self):
        receipt = self.submit_private(anonymous=False, confidential=False)
        raw, view = self.view(receipt["tracking_id"])
        self.assertEqual(view["reporter"], {"name": self.SECRET_NAME})
        self.assertNotIn(self.SECRET_MAIL, raw)
        self.assertNotIn(self.SECRET_PHONE, raw)

    def test_confidential_content_is_hidden_without_the_token(self):
        receipt = self.submit_private(anonymous=False, confidential=True)
        tid = receipt["tracking_id"]
        token = receipt["reporter_token"]
        off_by_one = token[:-1] + ("B" if token[-1] == "A" else "A")  # certainly not the token
        for token in (None, "wrong-token-" + "x" * 31, off_by_one):
            raw, view = self.view(tid, token)
            self.assertTrue(view["content_hidden"])
            for secret in ("Pungutan liar", "Petugas meminta", "Raden Patah", "104.0113"):
                self.assertNotIn(secret, raw)
            self.assertNotIn("title", view)
            self.assertNotIn("body", view)
            self.assertNotIn("location", view)
            self.assertNotIn(self.SECRET_MAIL, raw)

    def test_confidential_content_is_shown_with_the_token(self):
        receipt = self.submit_private(anonymous=True, confidential=True)
        raw, view = self.view(receipt["tracking_id"], receipt["reporter_token"])
        self.assertFalse(view["content_hidden"])
        self.assertEqual(view["title"], "Pungutan liar di kantor kelurahan")
        self.assertEqual(view["location"]["address"], "Jl. Raden Patah, Lubuk Baja")
        # The reporter sees their own contact data: they proved who they are.
        self.assertEqual(view["reporter"]["email"], self.SECRET_MAIL)

    def test_anonymous_and_confidential_public_view(self):
        receipt = self.submit_private(anonymous=True, confidential=True)
        raw, view = self.view(receipt["tracking_id"])
        for secret in (self.SECRET_NAME, self.SECRET_MAIL, "Pungutan", "Petugas"):
            self.assertNotIn(secret, raw)
        self.assertEqual(view["status"], "waiting_verification")


class Idempotency(SystemTest):
    hint = "idem"

    def test_same_key_and_body_returns_the_same_answer_and_creates_nothing(self):
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        status1, hdrs1, first = self.submit(headers=headers)
        self.assertEqual(status1, 201, first)
        before = self.counts()
        status2, hdrs2, second = self.submit(headers=headers)
        self.assertEqual(status2, 201, second)
        self.assertEqual(first, second)
        self.assertEqual(hdrs1["location"], hdrs2["location"])
        self.assertEqual(self.counts(), before)

    def test_same_key_with_another_body_is_422(self):
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        status, _, first = self.submit(headers=headers)
        self.assertEqual(status, 201, first)
        before = self.counts()
        status, hdrs, doc = self.submit(valid_report(title="Lampu jalan mati di Batam Kota"), headers)
        self.assertProblem(status, hdrs, doc, 422)
        self.assertEqual(self.counts(), before)

    def test_different_keys_make_different_reports(self):
        _, _, a = self.submit(headers={"Idempotency-Key": str(uuid.uuid4())})
        _, _, b = self.submit(headers={"Idempotency-Key": str(uuid.uuid4())})
        self.assertNotEqual(a["tracking_id"], b["tracking_id"])

    def test_concurrent_retries_of_one_key_create_one_report(self):
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        results = []

        def send():
            results.append(self.submit(headers=headers))

        before = self.sys.db.count("reports")
        threads = [threading.Thread(target=send) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(self.sys.db.count("reports"), before + 1)
        ids = {doc["tracking_id"] for status, _, doc in results if status == 201}
        self.assertEqual(len(ids), 1)
        # Retries that overlap the first request are told it is in flight, never given another report.
        self.assertTrue(all(status in (201, 409) for status, _, _ in results), results)

    def test_bad_key_is_400(self):
        status, hdrs, doc = self.submit(headers={"Idempotency-Key": "x" * 201})
        self.assertProblem(status, hdrs, doc, 400)

    def test_a_key_shorter_than_16_characters_is_400_and_stores_nothing(self):
        """A short key can be guessed, and with it another client's answer replayed."""
        before = self.counts()
        for key in ("idem-test-1", "x" * 15, "", "0123456789abcde\u00e9"):
            status, hdrs, doc = self.submit(headers={"Idempotency-Key": key})
            self.assertProblem(status, hdrs, doc, 400)
            self.assertIn("16", doc["detail"])
        self.assertEqual(self.counts(), before)
        for key in ("x" * 16, "y" * 200):
            status, _, doc = self.submit(headers={"Idempotency-Key": key})
            self.assertEqual(status, 201, doc)

    def test_the_stored_answer_holds_neither_the_token_nor_the_key(self):
        key = str(uuid.uuid4())
        status, _, receipt = self.submit(headers={"Idempotency-Key": key})
        self.assertEqual(status, 201, receipt)
        rows = self.sys.db.scalar("SELECT string_agg(k::text || encode(k.sealed_response, 'escape'), ' ') "
                                  "FROM submission_keys k")
        self.assertNotIn(receipt["reporter_token"], rows)
        self.assertNotIn(key, rows)

    def test_intake_does_not_start_without_its_secret(self):
        for secret in ("", "0123", "/nonexistent/idempotency-secret"):
            intake = Service("aduan-intake", {
                "ADUAN_DB_URL": self.sys.db.service_url("aduan-intake"),
                "ADUAN_INTAKE_BIND": f"tcp://127.0.0.1:{free_port()}",
                "ADUAN_ADMIN_ADDR": f"127.0.0.1:{free_port()}",
                "ADUAN_IDEMPOTENCY_SECRET": secret,
            }, self.sys.workdir, name="intake-nosecret").start(wait_ready=False)
            self.assertEqual(intake.proc.wait(20), 2, f"started with the secret {secret!r}")


class BadInput(SystemTest):
    hint = "badinput"

    def expect_nothing_stored(self, status_expected, body, headers=None, fields=()):
        before = self.counts()
        status, hdrs, raw = self.sys.request("POST", "/api/v1/reports", body, headers)
        doc = json.loads(raw)
        self.assertProblem(status, hdrs, doc, status_expected)
        named = {e["field"] for e in doc.get("errors", [])}
        for field in fields:
            self.assertIn(field, named, doc)
        self.assertEqual(self.counts(), before)
        return doc

    def test_malformed_json_is_400(self):
        self.expect_nothing_stored(400, b'{"title": "unterminated', {"Content-Type": "application/json"})

    def test_too_deep_json_is_400(self):
        self.expect_nothing_stored(400, b"[" * 100 + b"]" * 100, {"Content-Type": "application/json"})

    def test_wrong_content_type_is_415(self):
        self.expect_nothing_stored(415, json.dumps(valid_report()).encode(), {"Content-Type": "text/plain"})

    def test_oversized_body_is_413(self):
        report = valid_report(body="x" * (70 * 1024))
        self.expect_nothing_stored(413, json.dumps(report).encode(), {"Content-Type": "application/json"})

    def test_missing_fields_are_each_named(self):
        self.expect_nothing_stored(422, {"classification": "complaint"},
                                   fields=("title", "body", "category", "region"))

    def test_wrong_types_are_each_named(self):
        report = valid_report(title=42, anonymous="yes", location={"lat": "north", "lon": 104.0})
        self.expect_nothing_stored(422, report, fields=("title", "anonymous", "location.lat"))

    def test_not_an_object_is_422(self):
        self.expect_nothing_stored(422, [1, 2, 3])

    def test_unknown_field_is_named(self):
        self.expect_nothing_stored(422, valid_report(titel="typo"), fields=("titel",))

    def test_rule_violations(self):
        report = valid_report(classification="rant", title="abc", incident_date="2026-02-30",
                              reporter={"email": "not-an-email"})
        self.expect_nothing_stored(422, report, fields=("classification", "title", "incident_date",
                                                        "reporter.email"))

    def test_unknown_category_region_and_institution(self):
        report = valid_report(category="NOPE.NOPE", region="99.99", target_institution="NO-SUCH-UNIT")
        self.expect_nothing_stored(422, report, fields=("category", "region", "target_institution"))

    def test_invalid_utf8_is_rejected(self):
        body = json.dumps(valid_report()).encode().replace(b"Jalan berlubang", b"Jalan \xff\xfe berlubang")
        before = self.counts()
        status, _, _ = self.sys.request("POST", "/api/v1/reports", body, {"Content-Type": "application/json"})
        self.assertIn(status, (400, 422))
        self.assertEqual(self.counts(), before)

    def test_hostile_inputs_never_crash_a_service(self):
        samples = [b"", b"null", b"{}", b'{"title":null}', b"\x00\x01\x02", b'"' + b"\\u0000" * 50 + b'"',
                   b'{"title":"' + b"\\ud800" + b'"}', b"{" * 5000, b'{"a":' * 3000,
                   json.dumps(valid_report(body="\u0000 nul in body")).encode(),
                   json.dumps(valid_report(location={"lat": 1e308, "lon": -1e308})).encode(),
                   json.dumps(valid_report(title="💥" * 300)).encode()]
        before = self.counts()
        deadline = time.monotonic() + 20
        for sample in samples:
            self.assertLess(time.monotonic(), deadline)
            status, _, _ = self.sys.request("POST", "/api/v1/reports", sample,
                                            {"Content-Type": "application/json"})
            self.assertIn(status, (400, 413, 415, 422), sample[:40])
        self.assertEqual(self.counts(), before)
        for svc in (self.sys.gateway, self.sys.intake):
            self.assertIsNone(svc.proc.poll(), f"{svc.name} died")
            self.assertEqual(svc.admin_get("/healthz")[0], 200)


class IntakeRestart(SystemTest):
    hint = "restart"

    def test_intake_restarted_between_submissions(self):
        status, _, first = self.submit()
        self.assertEqual(status, 201)
        self.sys.intake.stop()
        self.sys.intake.start()
        status, _, second = self.submit()
        self.assertEqual(status, 201, second)
        for receipt in (first, second):
            status, _, _ = self.sys.json("GET", f"/api/v1/reports/{receipt['tracking_id']}")
            self.assertEqual(status, 200)

    def test_no_request_that_got_201_is_lost_across_a_kill(self):
        accepted, other = [], []
        stop = threading.Event()

        def load():
            n = 0
            while not stop.is_set():
                n += 1
                status, _, doc = self.submit(valid_report(title=f"Laporan beban nomor {n}"))
                (accepted if status == 201 else other).append((status, doc))

        worker = threading.Thread(target=load)
        worker.start()
        try:   # by progress, not by time: a slow machine still kills intake amid accepted submissions
            self.sys.wait_for(lambda: len(accepted) >= 5, 30, "submissions accepted before the kill")
            self.sys.intake.kill()
            time.sleep(0.5)
            self.sys.intake.start()
            restarted = len(accepted)
            self.sys.wait_for(lambda: len(accepted) >= restarted + 5, 30, "submissions accepted after the restart")
        finally:
            stop.set()
            worker.join(60)
        self.assertTrue(all(s == 503 for s, _ in other), other[:3])
        ids = [doc["tracking_id"] for _, doc in accepted]
        stored = set(self.sys.db.scalar("SELECT string_agg(tracking_id, ',') FROM reports").split(","))
        self.assertEqual(set(ids) - stored, set())
        # After the restart the gateway keeps working without being touched.
        status, _, _ = self.submit()
        self.assertEqual(status, 201)


class IntakeMemory(SystemTest):
    hint = "photo"

    def libvips_mapped(self):
        """libvips itself (libvips.so) or the codec modules its start loads (vips-modules-8.x)."""
        with open(f"/proc/{self.sys.intake.proc.pid}/maps") as f:
            return "vips" in f.read()

    def test_libvips_starts_with_the_first_photo(self):
        # libvips and the libraries of its codecs (ImageMagick, poppler, HEIF, ...) were most of an
        # idle intake's memory when linked and started at start-up (issue 11); photos alone need them.
        status, _, receipt = self.submit()
        self.assertEqual(status, 201, receipt)
        status, _, _ = self.sys.json("GET", f"/api/v1/reports/{receipt['tracking_id']}")
        self.assertEqual(status, 200)
        self.assertFalse(self.libvips_mapped(), "libvips started before any photo")
        body, headers = photo_form(receipt['reporter_token'])
        status, _, raw = self.sys.request("POST", f"/api/v1/reports/{receipt['tracking_id']}/attachments", body,
                                          headers)
        self.assertEqual(status, 201, raw)
        self.assertEqual(json.loads(raw)["media_type"], "image/jpeg")
        self.assertTrue(self.libvips_mapped(), "the photo was re-encoded by a started libvips")


if __name__ == "__main__":
    unittest.main(verbosity=2, argv=[sys.argv[0]] + sys.argv[1:])
