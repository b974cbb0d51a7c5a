"""Staff administration (issue 17): admins list, deactivate, reactivate, reset passwords and change
roles and institutions of the accounts of their subtree; nobody administers their own account; a
change that takes rights away ends the member's sessions at once; every change is a staff.* event on
the stream, without passwords or e-mail addresses. Saved desk filters: per member, checked by the
desk's filter parser."""
import unittest

from aduan_harness import System, SystemTestCase, read_jsonl

STAFF = {
    "nas": ("national_admin", "NASIONAL"),
    "kota": ("institution_admin", "KOTA-21.71"),
    "tpi": ("institution_admin", "KOTA-21.72"),
    "pupr": ("unit_liaison", "KOTA-21.71.PUPR"),
    "dinsos": ("unit_liaison", "KOTA-21.71.DINSOS"),
    "analis": ("analyst", "KOTA-21.71"),
    "reset1": ("unit_liaison", "KOTA-21.71.PUPR"),
    "pindah1": ("unit_liaison", "KOTA-21.71.PUPR"),
    "balik1": ("unit_liaison", "KOTA-21.71.DINSOS"),
}


class StaffAdmin(SystemTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("staff-admin", with_stats=True).start()
        for name, (role, institution) in STAFF.items():
            cls.sys.create_staff(name, role, institution, email=f"{name}@contoh.go.id")
        cls.auth = {name: cls.sys.login(name) for name in STAFF}

    def post(self, who, path, body=None):
        status, _, doc = self.sys.json("POST", f"/api/v1/staff{path}", body, self.auth[who])
        return status, doc

    def signed_in(self, auth):
        return self.sys.json("GET", "/api/v1/sessions/current", headers=auth)[0] == 200

    def events(self, username):
        rows = self.sys.db.scalar(
            "SELECT string_agg(type || '|' || coalesce(actor_id, '') || '|' || institution_code || '|' "
            f"|| encode(payload, 'escape'), E'\\n' ORDER BY id) FROM events WHERE type LIKE 'staff.%' "
            f"AND encode(payload, 'escape') LIKE '%{username}%'")
        return (rows or "").splitlines()

    def test_the_list_holds_the_subtree_only_with_filters_and_paging(self):
        status, _, doc = self.sys.json("GET", "/api/v1/staff?limit=200", headers=self.auth["kota"])
        self.assertEqual(status, 200, doc)
        names = {i["username"] for i in doc["items"]}
        self.assertIn("pupr", names)
        self.assertIn("kota", names)
        self.assertNotIn("nas", names)   # national admins are outside an institution admin's scope
        self.assertNotIn("tpi", names)   # another city
        everyone = self.sys.json("GET", "/api/v1/staff?limit=200", headers=self.auth["nas"])[2]
        self.assertTrue({"nas", "tpi", "pupr"} <= {i["username"] for i in everyone["items"]})
        liaisons = self.sys.json("GET", "/api/v1/staff?role=unit_liaison&institution=KOTA-21.71.DINSOS",
                                 headers=self.auth["kota"])[2]
        self.assertEqual({i["role"] for i in liaisons["items"]}, {"unit_liaison"})
        self.assertTrue({i["institution"] for i in liaisons["items"]} <= {"KOTA-21.71.DINSOS"})
        page = self.sys.json("GET", "/api/v1/staff?limit=2&offset=1", headers=self.auth["nas"])[2]
        self.assertEqual(len(page["items"]), 2)
        self.assertEqual(page["total"], everyone["total"])
        self.assertEqual([i["username"] for i in page["items"]],
                         [i["username"] for i in everyone["items"]][1:3])
        self.assertEqual(self.sys.json("GET", "/api/v1/staff?active=maybe", headers=self.auth["nas"])[0], 422)
        self.assertEqual(self.sys.json("GET", "/api/v1/staff", headers=self.auth["pupr"])[0], 403)
        self.assertEqual(self.sys.json("GET", "/api/v1/staff", headers=self.auth["analis"])[0], 403)
        self.assertEqual(self.sys.json("GET", "/api/v1/staff")[0], 401)

    def test_scope_and_own_account_refusals(self):
        for who, path, body, expected in [
                ("analis", "/dinsos/deactivate", None, 403),        # not an admin
                ("pupr", "/dinsos/password", {}, 403),
                ("kota", "/kota/deactivate", None, 403),             # one's own account
                ("kota", "/kota/role", {"role": "analyst"}, 403),
                ("kota", "/kota/password", {}, 403),
                ("kota", "/tpi/reactivate", None, 404),              # outside the subtree
                ("kota", "/nas/password", {}, 404),                  # national admins are out of scope
                ("tpi", "/pupr/role", {"role": "analyst"}, 404),
                ("kota", "/tidakada/deactivate", None, 404),         # unknown
                ("kota", "/dinsos/role", {"role": "national_admin"}, 403),      # not the admin's to give
                ("kota", "/dinsos/role", {"institution": "KOTA-21.72"}, 403),   # outside the subtree
                ("kota", "/dinsos/role", {"institution": "TIDAK-ADA"}, 422),
                ("kota", "/dinsos/role", {"role": "raja"}, 422),
                ("kota", "/dinsos/role", {}, 422),
                ("kota", "/dinsos/password", {"password": "pendek"}, 422),
                ("nas", "/dinsos/role", {"role": "national_admin"}, 422),       # national admins sit at NASIONAL
        ]:
            with self.subTest(who=who, path=path, body=body):
                status, doc = self.post(who, path, body)
                self.assertEqual(status, expected, doc)
                self.assertIn("type", doc)   # problem+json
        self.assertTrue(self.signed_in(self.auth["dinsos"]))   # nothing above changed dinsos

    def test_a_reset_password_ends_every_session_and_the_old_password(self):
        second = self.sys.login("reset1")
        status, doc = self.post("kota", "/reset1/password", {})
        self.assertEqual(status, 200, doc)
        generated = doc["password"]
        self.assertGreaterEqual(len(generated), 10)
        self.assertFalse(self.signed_in(self.auth["reset1"]))
        self.assertFalse(self.signed_in(second))
        self.assertEqual(self.sys.json("POST", "/api/v1/sessions",
                                       {"username": "reset1", "password": "rahasia-sekali-123"})[0], 401)
        self.assertTrue(self.signed_in(self.sys.login("reset1", generated)))
        status, doc = self.post("kota", "/reset1/password", {"password": "kata-sandi-baru-1"})
        self.assertEqual(status, 200, doc)
        self.assertNotIn("password", doc)
        self.assertTrue(self.signed_in(self.sys.login("reset1", "kata-sandi-baru-1")))

    def test_a_role_change_ends_the_sessions_and_the_new_role_holds(self):
        status, doc = self.post("kota", "/pindah1/role", {"role": "analyst", "institution": "KOTA-21.71.DINSOS"})
        self.assertEqual(status, 200, doc)
        self.assertFalse(self.signed_in(self.auth["pindah1"]))
        member = self.sys.json("GET", "/api/v1/sessions/current", headers=self.sys.login("pindah1"))[2]["staff"]
        self.assertEqual((member["role"], member["institution"]), ("analyst", "KOTA-21.71.DINSOS"))
        self.assertIn("staff.changed|kota|KOTA-21.71.DINSOS|", "\n".join(self.events("pindah1")))

    def test_deactivate_then_reactivate(self):
        second = self.sys.login("balik1")
        self.assertEqual(self.post("kota", "/balik1/deactivate")[0], 200)
        self.assertFalse(self.signed_in(second))
        self.assertEqual(self.sys.json("POST", "/api/v1/sessions",
                                       {"username": "balik1", "password": "rahasia-sekali-123"})[0], 401)
        listed = self.sys.json("GET", "/api/v1/staff?active=false", headers=self.auth["kota"])[2]["items"]
        self.assertIn("balik1", {i["username"] for i in listed})
        status, doc = self.post("kota", "/balik1/reactivate")
        self.assertEqual((status, doc.get("active")), (200, True), doc)
        self.assertEqual(self.post("kota", "/balik1/reactivate")[0], 200)   # again: nothing changes
        self.assertTrue(self.signed_in(self.sys.login("balik1")))
        types = [row.split("|")[0] for row in self.events("balik1")]
        self.assertEqual(types, ["staff.created", "staff.deactivated", "staff.reactivated"])

    def test_every_change_is_on_the_stream_without_secrets(self):
        status, _, doc = self.sys.json("POST", "/api/v1/staff", {
            "username": "baru1", "display_name": "Staf Baru", "role": "unit_liaison", "institution": "KOTA-21.71.PUPR",
            "password": "kata-sandi-baru-2", "email": "baru1@contoh.go.id"}, self.auth["kota"])
        self.assertEqual(status, 201, doc)
        self.assertEqual(self.post("kota", "/baru1/password", {"password": "kata-sandi-baru-3"})[0], 200)
        self.assertEqual(self.post("kota", "/baru1/deactivate")[0], 200)
        want = {"staff.created", "staff.password_reset", "staff.deactivated"}
        found = []

        def streamed():
            proc, path = self.sys.tail("--from", "0", "--topic", "staff.", "--idle-exit", "1500")
            proc.wait(60)
            found[:] = [e for e in read_jsonl(path) if e["payload"].get("username") == "baru1"]
            return want <= {e["type"] for e in found}
        self.sys.wait_for(streamed, 60, "the staff events of baru1 on the stream")
        for event in found:
            self.assertEqual((event["actor_id"], event["institution"]), ("kota", "KOTA-21.71.PUPR"), event)
            self.assertEqual(event["payload"]["role"], "unit_liaison")
            text = str(event)
            for secret in ("kata-sandi", "contoh.go.id", "argon2"):
                self.assertNotIn(secret, text)

    def test_saved_desk_filters_are_per_member_and_checked(self):
        path = "/api/v1/desk/filters"
        status, _, doc = self.sys.json("POST", path, {"name": "Terlambat PUPR", "filters": {
            "overdue": "true", "category": "JALAN", "sort": "due"}}, self.auth["kota"])
        self.assertEqual(status, 201, doc)
        saved = doc["id"]
        for body, field in [({"name": "salah", "filters": {"overdue": "mungkin"}}, "overdue"),
                            ({"name": "salah", "filters": {"older_than_days": "99999"}}, "older_than_days"),
                            ({"name": "salah", "filters": {"warna": "merah"}}, "warna"),
                            ({"name": "", "filters": {}}, "name"),
                            ({"name": "angka", "filters": {"overdue": True}}, "overdue"),
                            ({"name": "Terlambat PUPR", "filters": {}}, "name")]:   # taken
            with self.subTest(body=body):
                status, _, doc = self.sys.json("POST", path, body, self.auth["kota"])
                self.assertEqual(status, 422, doc)
                self.assertIn(field, {e["field"] for e in doc["errors"]})
        mine = self.sys.json("GET", path, headers=self.auth["kota"])[2]["items"]
        self.assertEqual([(i["name"], i["filters"]) for i in mine],
                         [("Terlambat PUPR", {"overdue": "true", "category": "JALAN", "sort": "due"})])
        self.assertEqual(self.sys.json("GET", path, headers=self.auth["nas"])[2]["items"], [])
        self.assertEqual(self.sys.json("DELETE", f"{path}/{saved}", headers=self.auth["nas"])[0], 404)
        self.assertEqual(self.sys.json("DELETE", f"{path}/{saved}", headers=self.auth["kota"])[0], 204)
        self.assertEqual(self.sys.json("GET", path, headers=self.auth["kota"])[2]["items"], [])
        self.assertEqual(self.sys.json("GET", path)[0], 401)

    def test_a_member_keeps_at_most_fifty_saved_filters(self):
        path = "/api/v1/desk/filters"
        for n in range(50):
            status, _, doc = self.sys.json("POST", path, {"name": f"pilihan {n:02d}", "filters": {"sort": "newest"}},
                                           self.auth["nas"])
            self.assertEqual(status, 201, doc)
        status, _, doc = self.sys.json("POST", path, {"name": "satu lagi", "filters": {}}, self.auth["nas"])
        self.assertEqual(status, 422, doc)
        self.assertEqual([(e["field"], e["code"]) for e in doc["errors"]], [("name", "too_many")])
        items = self.sys.json("GET", path, headers=self.auth["nas"])[2]["items"]
        self.assertEqual([i["name"] for i in items], [f"pilihan {n:02d}" for n in range(50)])
        self.assertEqual(self.sys.json("DELETE", f"{path}/{items[0]['id']}", headers=self.auth["nas"])[0], 204)
        self.assertEqual(self.sys.json("POST", path, {"name": "satu lagi", "filters": {}}, self.auth["nas"])[0], 201)
        for item in self.sys.json("GET", path, headers=self.auth["nas"])[2]["items"]:
            self.assertEqual(self.sys.json("DELETE", f"{path}/{item['id']}", headers=self.auth["nas"])[0], 204)


if __name__ == "__main__":
    unittest.main()
