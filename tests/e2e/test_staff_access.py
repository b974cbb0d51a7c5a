"""End to end: who may do what. A matrix of role × endpoint × in-scope/out-of-scope with the
expected HTTP status, plus sign-in, sign-out, expiry and account creation rules."""
import json
import unittest

from aduan_harness import System, SystemTestCase, valid_report

STAFF = {
    "nas": ("national_admin", "NASIONAL"),
    "kota": ("institution_admin", "KOTA-21.71"),
    "tpi": ("institution_admin", "KOTA-21.72"),
    "pupr": ("unit_liaison", "KOTA-21.71.PUPR"),
    "dinsos": ("unit_liaison", "KOTA-21.71.DINSOS"),
    "analis": ("analyst", "PROV-21"),
    "analis72": ("analyst", "KOTA-21.72"),
}


class StaffAccessTest(SystemTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("access", lifecycle=True).start()
        for name, (role, institution) in STAFF.items():
            cls.sys.create_staff(name, role, institution)
        cls.auth = {name: cls.sys.login(name) for name in STAFF}
        cls.auth["nobody"] = {}
        cls.auth["forged"] = {"Authorization": "Bearer " + "x" * 43}

    def submit(self, **overrides):
        status, _, doc = self.sys.json("POST", "/api/v1/reports", valid_report(**overrides))
        self.assertEqual(status, 201, doc)
        return doc["tracking_id"]

    def status_of(self, who, method, path, body=None):
        return self.sys.json(method, path, body, self.auth[who])[0]

    def dispatched_to_pupr(self):
        tid = self.submit()
        self.assertEqual(self.sys.act(tid, self.auth["nas"], "verify")[0], 200)
        self.sys.wait_for(lambda: self.sys.json("GET", f"/api/v1/staff/reports/{tid}", headers=self.auth["nas"])[2]
                          ["status"] == "dispatched", what="dispatch")
        return tid

    def check(self, cells):
        for who, method, path, body, expected in cells:
            with self.subTest(who=who, method=method, path=path, body=body):
                self.assertEqual(self.status_of(who, method, path, body), expected)

    def test_reading_matrix(self):
        held = self.dispatched_to_pupr()
        one = f"/api/v1/staff/reports/{held}"
        self.check([
            ("nas", "GET", "/api/v1/desk", None, 200), ("kota", "GET", "/api/v1/desk", None, 200),
            ("analis", "GET", "/api/v1/desk", None, 200), ("pupr", "GET", "/api/v1/desk", None, 403),
            ("nobody", "GET", "/api/v1/desk", None, 401), ("forged", "GET", "/api/v1/desk", None, 401),
            ("nas", "GET", one, None, 200), ("kota", "GET", one, None, 200), ("pupr", "GET", one, None, 200),
            ("analis", "GET", one, None, 200), ("dinsos", "GET", one, None, 403), ("tpi", "GET", one, None, 403),
            ("analis72", "GET", one, None, 403), ("nobody", "GET", one, None, 401),
            ("pupr", "GET", "/api/v1/staff/reports", None, 200), ("nobody", "GET", "/api/v1/staff/reports", None, 401),
            ("analis", "GET", "/api/v1/reason-codes", None, 200), ("nobody", "GET", "/api/v1/reason-codes", None, 401),
        ])
        reasons = self.sys.json("GET", "/api/v1/reason-codes", headers=self.auth["kota"])[2]["items"]
        self.assertIn({"action": "archive", "code": "duplicate", "label": "Laporan ganda", "label_en": "Duplicate"},
                      reasons)
        listed = lambda who: {i["tracking_id"] for i in self.sys.json(  # noqa: E731
            "GET", "/api/v1/staff/reports?limit=200", headers=self.auth[who])[2]["items"]}
        self.assertIn(held, listed("kota"))
        self.assertIn(held, listed("pupr"))
        self.assertNotIn(held, listed("dinsos"))
        self.assertNotIn(held, listed("tpi"))

    def test_verification_matrix(self):
        addressed = self.submit(target_institution="KOTA-21.71")
        national = self.submit()
        path = lambda tid: f"/api/v1/reports/{tid}/actions"  # noqa: E731
        verify = {"action": "verify"}
        self.check([
            ("dinsos", "POST", path(addressed), verify, 403),   # role
            ("analis", "POST", path(addressed), verify, 403),   # role
            ("tpi", "POST", path(addressed), verify, 403),      # scope
            ("nobody", "POST", path(addressed), verify, 401),
            ("kota", "POST", path(national), verify, 403),      # no target: the national desk's
            ("kota", "POST", path(addressed), verify, 200),
            ("nas", "POST", path(national), verify, 200),
        ])

    def test_handling_matrix(self):
        held = self.dispatched_to_pupr()
        path = f"/api/v1/reports/{held}/actions"
        follow_up = {"action": "follow_up", "note": "Lubang sudah ditambal."}
        close = {"action": "close", "reason_code": "resolved"}
        self.check([
            ("dinsos", "POST", path, follow_up, 403),   # scope: a sibling unit
            ("tpi", "POST", path, follow_up, 403),      # scope: another city
            ("analis", "POST", path, follow_up, 403),   # role: analysts only read
            ("pupr", "POST", path, follow_up, 200),
            ("pupr", "POST", path, close, 403),         # role: liaisons do not close
            ("tpi", "POST", path, close, 403),
            ("kota", "POST", path, close, 200),
            ("kota", "POST", path, close, 409),         # already closed: the state machine answers
        ])
        # A reporter's token is not a staff session, and a staff session is not a reporter token.
        self.assertEqual(self.sys.act(held, self.auth["kota"], "reply", note="bukan pelapor")[0], 403)

    def test_account_creation_rules(self):
        new = lambda name, role, institution: {"username": name, "display_name": f"Staf {name}",  # noqa: E731
                                               "role": role, "institution": institution,
                                               "password": "kata-sandi-panjang"}
        self.check([
            ("kota", "POST", "/api/v1/staff", new("dishub1", "unit_liaison", "KOTA-21.71.DISHUB"), 201),
            ("kota", "POST", "/api/v1/staff", new("luar1", "unit_liaison", "KOTA-21.72.DISHUB"), 403),
            ("kota", "POST", "/api/v1/staff", new("naik1", "national_admin", "NASIONAL"), 403),
            ("pupr", "POST", "/api/v1/staff", new("liaison2", "unit_liaison", "KOTA-21.71.PUPR"), 403),
            ("nobody", "POST", "/api/v1/staff", new("anon1", "analyst", "PROV-21"), 401),
            ("nas", "POST", "/api/v1/staff", new("prov1", "institution_admin", "PROV-21"), 201),
            ("nas", "POST", "/api/v1/staff", new("prov1", "institution_admin", "PROV-21"), 422),   # taken
            ("nas", "POST", "/api/v1/staff", dict(new("short1", "analyst", "PROV-21"), password="pendek"), 422),
            ("nas", "POST", "/api/v1/staff", new("bad1", "overlord", "PROV-21"), 422),
        ])
        self.assertEqual(self.sys.login("dishub1", "kata-sandi-panjang")["Authorization"][:7], "Bearer ")

    def test_sign_in_sign_out_and_expiry(self):
        status, _, doc = self.sys.json("POST", "/api/v1/sessions", {"username": "nas", "password": "salah-sekali-123"})
        self.assertEqual(status, 401, doc)
        status, _, _ = self.sys.json("POST", "/api/v1/sessions", {"username": "tidak-ada", "password": "salah-sekali-123"})
        self.assertEqual(status, 401)
        auth = self.sys.login("kota")
        status, _, me = self.sys.json("GET", "/api/v1/sessions/current", headers=auth)
        self.assertEqual((status, me["staff"]["role"], me["staff"]["institution"]), (200, "institution_admin", "KOTA-21.71"))
        self.assertEqual(self.sys.json("DELETE", "/api/v1/sessions/current", headers=auth)[0], 204)
        self.assertEqual(self.sys.json("GET", "/api/v1/sessions/current", headers=auth)[0], 401)
        auth = self.sys.login("kota")
        self.sys.db.scalar("UPDATE staff_sessions SET expires_at = now() - interval '1 second' "
                           "WHERE staff_id = (SELECT id FROM staff WHERE username = 'kota') RETURNING 1")
        self.assertEqual(self.sys.json("GET", "/api/v1/desk", headers=auth)[0], 401)
        self.assertEqual(self.sys.db.scalar("SELECT count(*) FROM staff WHERE password_hash NOT LIKE '$argon2id$%'"), "0")
        type(self).auth["kota"] = self.sys.login("kota")

    def test_staff_views_never_show_contact_data_or_anonymous_names(self):
        tid = self.submit(anonymous=True)
        doc = self.sys.json("GET", f"/api/v1/staff/reports/{tid}", headers=self.auth["nas"])[2]
        self.assertIsNone(doc["reporter_name"])
        raw = self.sys.request("GET", f"/api/v1/staff/reports/{tid}", headers=self.auth["nas"])[2].decode()
        for secret in ("Siti", "siti.rahma@example.org", "7000-1234"):
            self.assertNotIn(secret, raw)

    def test_desk_filters_search_sort_and_counts(self):
        word = "Zebrakuning"
        road = self.submit(body=f"Jalan rusak {word} di kecamatan, mohon diperbaiki segera oleh dinas.",
                           target_institution="KOTA-21.71")
        drain = self.submit(body=f"Saluran tersumbat {word} setiap hujan, air masuk ke rumah warga.",
                            category="PU.DRAINASE", region="21.71.01", target_institution="KOTA-21.71")
        elsewhere = self.submit(body=f"Saluran {word} di Tanjungpinang meluap setiap malam hari.",
                                category="PU.DRAINASE", region="21.72")

        def found(who, query, search=word):
            status, _, doc = self.sys.json("GET", f"/api/v1/desk?q={search}&{query}", headers=self.auth[who])
            self.assertEqual(status, 200, doc)
            return [item["tracking_id"] for item in doc["items"]], doc

        everything = [road, drain, elsewhere]
        # words find a report once verify has recorded its pre-checks (and copied its text)
        self.sys.wait_for(lambda: len(found("nas", "")[0]) == 3, what="the three reports' texts searchable")
        self.assertEqual(found("nas", "sort=oldest")[0], everything)
        self.assertEqual(found("nas", "sort=newest")[0], everything[::-1])
        self.assertEqual(found("nas", "sort=oldest", search=word.lower())[0], everything, "search ignores case")
        self.assertEqual(found("nas", "sort=oldest&category=PU")[0], [drain, elsewhere],
                         "a group selects its subcategories")
        self.assertEqual(found("nas", "sort=oldest&region=21.71")[0], [road, drain], "a city holds its districts")
        self.assertEqual(found("nas", "region=21.71.01")[0], [drain])
        self.assertEqual(found("nas", "overdue=true")[0], [])
        self.assertEqual(found("nas", "sort=oldest&overdue=false")[0], everything)
        suspected, unsuspected = found("nas", "duplicates=true")[0], found("nas", "duplicates=false")[0]
        self.assertEqual(sorted(suspected + unsuspected), sorted(everything), "duplicates splits the list in two")
        self.assertEqual(found("nas", "older_than_days=1")[0], [])
        self.assertEqual(found("nas", "", search="Zebrak%25ning")[0], [], "a typed % is a character, not a wildcard")
        self.assertEqual(found("nas", "", search=road)[0], [road], "a tracking id finds its report")
        mine, doc = found("kota", "sort=oldest&status=not_yet_verified")
        self.assertEqual(mine, [road, drain], "the city admin sees its own subtree only")
        self.assertEqual(doc["counts"], {"not_yet_verified": 2})
        for query in ("overdue=yes", "duplicates=1", "older_than_days=-1", "sort=title", "category=" + "X" * 33):
            with self.subTest(query=query):
                status, _, doc = self.sys.json("GET", "/api/v1/staff/reports?" + query, headers=self.auth["nas"])
                self.assertEqual(status, 422, doc)
                self.assertEqual(doc["type"].rsplit("/", 1)[-1], "validation-error")

    def test_assignment_to_one_officer_and_my_reports(self):
        self.sys.create_staff("pupr2", "unit_liaison", "KOTA-21.71.PUPR")
        pupr2 = self.sys.login("pupr2")
        tid = self.dispatched_to_pupr()

        def assign(auth, assignee):
            return self.sys.json("POST", f"/api/v1/reports/{tid}/actions", {"action": "assign", "assignee": assignee},
                                 headers=auth)

        def mine(auth):
            status, _, doc = self.sys.json("GET", "/api/v1/staff/reports?mine=true&limit=200", headers=auth)
            self.assertEqual(status, 200, doc)
            return [i["tracking_id"] for i in doc["items"]]

        status, _, doc = assign(self.auth["pupr"], "pupr2")
        self.assertEqual((status, doc["errors"][0]["field"]), (422, "assignee"), "a liaison takes only for itself")
        self.assertEqual(assign(self.auth["kota"], "dinsos")[0], 422, "an officer of another unit")
        self.assertEqual(assign(self.auth["kota"], "kota")[0], 422, "an officer of the holder itself")
        self.assertEqual(assign(self.auth["tpi"], "pupr")[0], 403, "an admin outside the subtree")
        status, _, doc = assign(self.auth["kota"], "pupr")
        self.assertEqual((status, doc["status"]), (200, "dispatched"), doc)
        self.assertIn(tid, mine(self.auth["pupr"]))
        self.assertNotIn(tid, mine(pupr2))
        status, _, doc = assign(pupr2, "pupr2")
        self.assertEqual(status, 200, doc)
        self.assertEqual((tid in mine(self.auth["pupr"]), tid in mine(pupr2)), (False, True), "taken over")
        view = self.sys.json("GET", f"/api/v1/staff/reports/{tid}", headers=self.auth["nas"])[2]
        self.assertEqual(view["assignee"], "pupr2")
        self.assertEqual([a["assignee"] for a in view["actions"] if a["action"] == "assign"], ["pupr", "pupr2"])
        public = self.sys.json("GET", f"/api/v1/reports/{tid}")[2]
        self.assertNotIn("assign", [a["action"] for a in public["actions"]], "assignment is internal")
        self.assertNotIn("pupr2", json.dumps(public))
        self.assertEqual(self.sys.act(tid, self.auth["kota"], "transfer", reason_code="other_institution",
                                      institution="KOTA-21.72")[0], 200)
        view = self.sys.json("GET", f"/api/v1/staff/reports/{tid}", headers=self.auth["nas"])[2]
        self.assertIsNone(view["assignee"], "a new holder starts unassigned")

    def test_openapi_document_lists_the_staff_routes(self):
        paths = self.sys.json("GET", "/api/v1/openapi.json")[2]["paths"]
        for path in ("/api/v1/sessions", "/api/v1/sessions/current", "/api/v1/staff", "/api/v1/desk", "/api/v1/reason-codes",
                     "/api/v1/staff/reports", "/api/v1/staff/reports/{tracking_id}",
                     "/api/v1/reports/{tracking_id}/actions"):
            self.assertIn(path, paths)
            # and the gateway serves it: without a session it asks for one rather than not knowing it
            concrete = path.replace("{tracking_id}", "K7M2-Q9XD-4HPA")
            method = "POST" if "post" in paths[path] else "GET"
            self.assertNotIn(self.sys.json(method, concrete, {})[0], (404, 405), path)


if __name__ == "__main__":
    unittest.main(verbosity=2)
