"""End to end: national admins edit the holiday calendar and the routing rules through the API
(docs/api.md "Administration"); institution admins the routing rules into their subtree, and they
read the national data. Each change is one event on the log and is seen by aduan-route at
once, without a restart: a new rule routes the next report, a new holiday moves a new deadline and
the running ones it falls inside. Invalid input is a 422 naming the field; other staff get 403."""
import datetime
import unittest
import zoneinfo

import msgpack

from aduan_harness import SystemTestCase, System, valid_report

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
STAFF = {
    "nas": ("national_admin", "NASIONAL"),
    "kota": ("institution_admin", "KOTA-21.71"),
    "pupr": ("unit_liaison", "KOTA-21.71.PUPR"),
}
HOLIDAYS = "/api/v1/admin/holidays"
RULES = "/api/v1/admin/routing-rules"
CATEGORIES = "/api/v1/admin/categories"
TEMPLATES = "/api/v1/admin/templates"
PREVIEWS = "/api/v1/admin/template-previews"


class AdminConfigTest(SystemTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("adminconfig", lifecycle=True, notify=True).start()
        cls.auth = {}
        for name, (role, institution) in STAFF.items():
            cls.sys.create_staff(name, role, institution)
            cls.auth[name] = cls.sys.login(name)

    # --- helpers -------------------------------------------------------------------------------

    def call(self, who, method, path, body=None):
        status, _, doc = self.sys.json(method, path, body, self.auth.get(who, {}))
        return status, doc

    def submit(self, **overrides):
        status, _, doc = self.sys.json("POST", "/api/v1/reports", valid_report(**overrides))
        self.assertEqual(status, 201, doc)
        return doc["tracking_id"]

    def staff_view(self, tracking_id):
        status, doc = self.call("nas", "GET", f"/api/v1/staff/reports/{tracking_id}")
        self.assertEqual(status, 200, doc)
        return doc

    def routed_to(self, tracking_id):
        """Verifies the report at the national desk and waits for aduan-route to dispatch it."""
        status, doc = self.call("nas", "POST", f"/api/v1/reports/{tracking_id}/actions", {"action": "verify"})
        self.assertEqual(status, 200, doc)
        view = self.sys.wait_for(lambda: (lambda v: v if v["status"] == "dispatched" else None)(
            self.staff_view(tracking_id)), what=f"{tracking_id} dispatched")
        return view

    def verification_clock(self, tracking_id):
        return [c for c in self.staff_view(tracking_id)["clocks"] if c["kind"] == "verification"][0]

    def config_events(self, type_):
        """The payloads (decoded) and actors of the events of this type, oldest first."""
        rows = self.sys.db.scalar(
            f"SELECT string_agg(actor_role || ':' || actor_id || ':' || encode(payload, 'hex'), ',' ORDER BY id) "
            f"FROM events WHERE type = '{type_}' AND tracking_id IS NULL")
        out = []
        for row in filter(None, (rows or "").split(",")):
            role, actor, payload = row.split(":")
            out.append((role, actor, msgpack.unpackb(bytes.fromhex(payload))))
        return out

    def holidays(self):
        return set(filter(None, (self.sys.db.scalar("SELECT string_agg(day::text, ',') FROM holidays") or "").split(",")))

    def working_deadline(self, started_iso, days, holidays):
        """Midnight Jakarta after the n-th working day after the start's date, worked out here."""
        day = datetime.datetime.fromisoformat(started_iso.replace("Z", "+00:00")).astimezone(JAKARTA).date()
        counted = 0
        while counted < days:
            day += datetime.timedelta(days=1)
            if day.isoweekday() < 6 and day.isoformat() not in holidays:
                counted += 1
        due = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), JAKARTA)
        return due.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def next_working_day(self, started_iso):
        day = datetime.datetime.fromisoformat(started_iso.replace("Z", "+00:00")).astimezone(JAKARTA).date()
        holidays = self.holidays()
        while True:
            day += datetime.timedelta(days=1)
            if day.isoweekday() < 6 and day.isoformat() not in holidays:
                return day.isoformat()

    # --- holidays ------------------------------------------------------------------------------

    def test_new_holiday_moves_running_and_new_deadlines_and_removal_moves_them_back(self):
        running = self.submit(title="Jalan berlubang di depan sekolah")
        before = self.verification_clock(running)
        self.assertEqual(before["due_at"], self.working_deadline(before["started_at"], 3, self.holidays()))
        day = self.next_working_day(before["started_at"])

        status, doc = self.call("nas", "POST", HOLIDAYS, {"day": day, "name": "Cuti bersama", "kind": "joint_leave"})
        self.assertEqual(status, 201, doc)
        self.assertEqual(doc, {"day": day, "name": "Cuti bersama", "kind": "joint_leave"})
        calendar = self.holidays()
        self.assertIn(day, calendar)
        moved = self.verification_clock(running)
        self.assertEqual(moved["due_at"], self.working_deadline(before["started_at"], 3, calendar))
        self.assertNotEqual(moved["due_at"], before["due_at"], "the running clock spans the new holiday")
        fresh = self.verification_clock(self.submit(title="Lampu jalan mati di gang"))
        self.assertEqual(fresh["due_at"], self.working_deadline(fresh["started_at"], 3, calendar))
        added = [e for e in self.config_events("config.holiday_added") if e[2]["day"] == day]
        self.assertEqual(len(added), 1)
        role, actor, payload = added[0]
        self.assertEqual((role, actor), ("national_admin", "nas"))
        self.assertEqual(payload["kind"], "joint_leave")
        self.assertGreaterEqual(payload["clocks_moved"], 1)

        # The same holiday again (a resent request) changes nothing; another name for the day is refused.
        self.assertEqual(self.call("nas", "POST", HOLIDAYS, {"day": day, "name": "Cuti bersama",
                                                            "kind": "joint_leave"})[0], 201)
        status, doc = self.call("nas", "POST", HOLIDAYS, {"day": day, "name": "Hari lain"})
        self.assertEqual(status, 422, doc)
        self.assertEqual([e["field"] for e in doc["errors"]], ["day"])
        self.assertEqual(len([e for e in self.config_events("config.holiday_added") if e[2]["day"] == day]), 1)
        self.assertIn({"day": day, "name": "Cuti bersama", "kind": "joint_leave"},
                      self.call("nas", "GET", HOLIDAYS)[1]["holidays"])

        status, _ = self.call("nas", "DELETE", f"{HOLIDAYS}/{day}")
        self.assertEqual(status, 204)
        self.assertEqual(self.verification_clock(running)["due_at"], before["due_at"])
        self.assertEqual(self.call("nas", "DELETE", f"{HOLIDAYS}/{day}")[0], 404)
        removed = [e for e in self.config_events("config.holiday_removed") if e[2]["day"] == day]
        self.assertEqual(len(removed), 1)
        self.assertGreaterEqual(removed[0][2]["clocks_moved"], 1)

    def test_invalid_holiday_names_the_field(self):
        for body, field in [({"day": "2027-02-30", "name": "Tidak ada"}, "day"),
                            ({"day": "17-08-2027", "name": "Salah format"}, "day"),
                            ({"day": "2027-08-17"}, "name"),
                            ({"day": "2027-08-17", "name": ""}, "name"),
                            ({"day": "2027-08-17", "name": "Kemerdekaan", "kind": "regional"}, "kind")]:
            with self.subTest(body=body):
                status, doc = self.call("nas", "POST", HOLIDAYS, body)
                self.assertEqual(status, 422, doc)
                self.assertEqual([e["field"] for e in doc["errors"]], [field])
        self.assertEqual(self.call("nas", "DELETE", f"{HOLIDAYS}/not-a-day")[0], 422)
        self.assertNotIn("2027-08-17", self.holidays())

    # --- routing rules ---------------------------------------------------------------------------

    def test_new_rule_routes_the_next_report_and_removal_stops_it(self):
        health = dict(category="KES.PUSKESMAS", title="Antrian puskesmas panjang",
                      body="Antrian di puskesmas sangat panjang sejak pagi.")
        self.assertEqual(self.routed_to(self.submit(**health))["institution"], "KOTA-21.71")   # the coordinator

        rule = {"category": "KES", "region": "21.71", "institution": "KOTA-21.71.DINSOS"}
        status, created = self.call("nas", "POST", RULES, rule)
        self.assertEqual(status, 201, created)
        self.assertEqual((created["category"], created["region"], created["institution"]),
                         ("KES", "21.71", "KOTA-21.71.DINSOS"))
        added = [e for e in self.config_events("config.routing_rule_added") if e[2]["id"] == created["id"]]
        self.assertEqual(len(added), 1)
        self.assertEqual(added[0][2]["institution"], "KOTA-21.71.DINSOS")

        view = self.routed_to(self.submit(**health))
        self.assertEqual(view["institution"], "KOTA-21.71.DINSOS")
        self.assertEqual(view["actions"][-1]["note"], "routed by rule")

        # A resend is the same rule; the same key to elsewhere is a duplicate.
        status, again = self.call("nas", "POST", RULES, rule)
        self.assertEqual((status, again["id"]), (201, created["id"]))
        status, doc = self.call("nas", "POST", RULES, dict(rule, institution="KOTA-21.71.PUPR"))
        self.assertEqual(status, 422, doc)
        self.assertEqual([e["field"] for e in doc["errors"]], ["category"])
        self.assertIn(created["id"], [r["id"] for r in self.call("nas", "GET", RULES)[1]["rules"]])

        self.assertEqual(self.call("nas", "DELETE", f"{RULES}/{created['id']}")[0], 204)
        self.assertEqual(self.call("nas", "DELETE", f"{RULES}/{created['id']}")[0], 404)
        self.assertEqual(len([e for e in self.config_events("config.routing_rule_removed")
                              if e[2]["id"] == created["id"]]), 1)
        self.assertEqual(self.routed_to(self.submit(**health))["institution"], "KOTA-21.71")

    def test_invalid_rule_names_the_field(self):
        for body, field in [({"category": "NOPE", "institution": "KOTA-21.71.PUPR"}, "category"),
                            ({"region": "99.99", "institution": "KOTA-21.71.PUPR"}, "region"),
                            ({"category": "KES", "institution": "NOBODY"}, "institution"),
                            ({"institution": "KOTA-21.71.PUPR"}, "category"),
                            ({"category": "KES"}, "institution"),
                            ({"category": 7, "institution": "KOTA-21.71.PUPR"}, "category")]:
            with self.subTest(body=body):
                status, doc = self.call("nas", "POST", RULES, body)
                self.assertEqual(status, 422, doc)
                self.assertEqual([e["field"] for e in doc["errors"]], [field])

    # --- an institution admin's routing rules: its subtree only ---------------------------------

    def rules(self, who):
        status, doc = self.call(who, "GET", RULES)
        self.assertEqual(status, 200, doc)
        return doc["rules"]

    def events_by(self, actor):
        return [(t, e[2]) for t in ("config.routing_rule_added", "config.routing_rule_changed",
                                    "config.routing_rule_removed") for e in self.config_events(t) if e[1] == actor]

    def test_an_institution_admin_lists_only_the_rules_into_its_subtree(self):
        everyone = self.rules("nas")
        kota = self.rules("kota")
        self.assertEqual(sorted(r["id"] for r in kota),
                         sorted(r["id"] for r in everyone if r["institution"].startswith("KOTA-21.71.")))
        self.assertTrue(kota)
        self.assertGreater(len(everyone), len(kota))
        self.assertEqual(self.call("pupr", "GET", RULES)[0], 403)

    def test_an_institution_admin_is_refused_outside_its_subtree(self):
        before, events_before = self.rules("nas"), self.events_by("kota")
        for body, field, code in [
                ({"category": "KES.BPJS", "region": "21.71", "institution": "KOTA-21.72.DINSOS"},
                 "institution", "outside_subtree"),
                ({"category": "KES.BPJS", "region": "21.72", "institution": "KOTA-21.71.DINSOS"},
                 "region", "outside_region"),
                ({"category": "KES.BPJS", "institution": "KOTA-21.71.DINSOS"}, "region", "outside_region"),
                ({"category": "KES.BPJS", "region": "21.71", "institution": "PROV-21"},
                 "institution", "outside_subtree")]:
            with self.subTest(body=body):
                status, doc = self.call("kota", "POST", RULES, body)
                self.assertEqual(status, 422, doc)
                self.assertEqual([(e["field"], e["code"]) for e in doc["errors"]], [(field, code)])
        theirs = next(r for r in before if r["institution"].startswith("KOTA-21.72."))
        self.assertEqual(self.call("kota", "DELETE", f"{RULES}/{theirs['id']}")[0], 403)
        status, doc = self.call("kota", "PATCH", f"{RULES}/{theirs['id']}", {"institution": "KOTA-21.71.DINSOS"})
        self.assertEqual(status, 403, doc)
        ours = next(r for r in before if r["institution"].startswith("KOTA-21.71."))
        status, doc = self.call("kota", "PATCH", f"{RULES}/{ours['id']}", {"institution": "KOTA-21.72.DINSOS"})
        self.assertEqual(status, 422, doc)
        self.assertEqual([(e["field"], e["code"]) for e in doc["errors"]], [("institution", "outside_subtree")])
        self.assertEqual(self.rules("nas"), before)
        self.assertEqual(self.events_by("kota"), events_before)

    def test_an_institution_admins_rule_routes_and_each_change_is_one_event(self):
        bpjs = dict(category="KES.BPJS", title="Kartu BPJS ditolak", body="Kartu BPJS saya ditolak di klinik.")
        status, created = self.call("kota", "POST", RULES, {"category": "KES.BPJS", "region": "21.71",
                                                            "institution": "KOTA-21.71.DINSOS"})
        self.assertEqual(status, 201, created)
        self.assertIn(created["id"], [r["id"] for r in self.rules("kota")])
        status, changed = self.call("kota", "PATCH", f"{RULES}/{created['id']}", {"institution": "KOTA-21.71.PUPR"})
        self.assertEqual((status, changed["institution"], changed["category"]), (200, "KOTA-21.71.PUPR", "KES.BPJS"))
        self.assertEqual(self.call("kota", "PATCH", f"{RULES}/{created['id']}",
                                   {"institution": "KOTA-21.71.PUPR"})[0], 200)   # the same: no event
        status, doc = self.call("kota", "PATCH", f"{RULES}/{created['id']}",
                                {"region": "21.71.01", "institution": "KOTA-21.71.PUPR"})
        self.assertEqual(status, 422, doc)
        self.assertEqual([(e["field"], e["code"]) for e in doc["errors"]], [("region", "fixed")])
        self.assertEqual(self.routed_to(self.submit(**bpjs))["institution"], "KOTA-21.71.PUPR")
        self.assertEqual(self.call("kota", "DELETE", f"{RULES}/{created['id']}")[0], 204)
        mine = [(t, e) for t, e in self.events_by("kota") if e["id"] == created["id"]]
        self.assertEqual([(t, e["institution"], e.get("previous_institution")) for t, e in mine],
                         [("config.routing_rule_added", "KOTA-21.71.DINSOS", None),
                          ("config.routing_rule_changed", "KOTA-21.71.PUPR", "KOTA-21.71.DINSOS"),
                          ("config.routing_rule_removed", "KOTA-21.71.PUPR", None)])
        roles = {e[0] for t in ("config.routing_rule_added", "config.routing_rule_removed")
                 for e in self.config_events(t) if e[2]["id"] == created["id"]}
        self.assertEqual(roles, {"institution_admin"})

    def test_an_institution_admin_reads_the_national_reference_data(self):
        for path, key in [(HOLIDAYS, "holidays"), (CATEGORIES, "categories"), (TEMPLATES, "templates")]:
            with self.subTest(path=path):
                status, doc = self.call("kota", "GET", path)
                self.assertEqual(status, 200, doc)
                self.assertEqual(doc[key], self.call("nas", "GET", path)[1][key])
                self.assertEqual(self.call("pupr", "GET", path)[0], 403)

    # --- categories ------------------------------------------------------------------------------

    def offered(self):
        """The categories of the citizens' form: code → name."""
        status, _, doc = self.sys.json("GET", "/api/v1/categories")
        self.assertEqual(status, 200, doc)
        return {item["code"]: item["name"] for item in doc["items"]}

    def test_category_added_renamed_and_deactivated_but_never_lost(self):
        new = {"code": "KES.RSUD", "parent": "KES", "name": "Rumah Sakit Daerah", "name_en": "Regional hospitals"}
        status, doc = self.call("nas", "POST", CATEGORIES, new)
        self.assertEqual(status, 201, doc)
        self.assertEqual(doc, dict(new, active=True))
        self.assertEqual(self.offered()["KES.RSUD"], "Rumah Sakit Daerah")
        self.assertEqual(self.call("nas", "POST", CATEGORIES, new)[0], 201)   # a resend: the same category
        used = self.submit(category="KES.RSUD", title="Antrian IGD rumah sakit", body="Antrian IGD sangat lama.")

        status, doc = self.call("nas", "PATCH", f"{CATEGORIES}/KES.RSUD", {"name": "Rumah Sakit Umum Daerah"})
        self.assertEqual(status, 200, doc)
        self.assertEqual((doc["name"], doc["name_en"]), ("Rumah Sakit Umum Daerah", "Regional hospitals"))
        self.assertEqual(self.offered()["KES.RSUD"], "Rumah Sakit Umum Daerah")

        status, doc = self.call("nas", "POST", f"{CATEGORIES}/KES/deactivate")
        self.assertEqual(status, 422, doc)   # a group with active subcategories
        self.assertEqual([e["field"] for e in doc["errors"]], ["code"])
        status, doc = self.call("nas", "POST", f"{CATEGORIES}/KES.RSUD/deactivate")
        self.assertEqual((status, doc["active"]), (200, False))
        self.assertEqual(self.call("nas", "POST", f"{CATEGORIES}/KES.RSUD/deactivate")[0], 200)
        self.assertNotIn("KES.RSUD", self.offered())
        status, _, doc = self.sys.json("POST", "/api/v1/reports", valid_report(category="KES.RSUD"))
        self.assertEqual(status, 422, doc)
        self.assertIn("category", [e["field"] for e in doc["errors"]])
        self.assertEqual(self.staff_view(used)["category"], "KES.RSUD")   # the report keeps its category
        self.assertEqual(self.call("nas", "DELETE", f"{CATEGORIES}/KES.RSUD")[0], 405)   # never deleted

        kinds = [(t, [e for e in self.config_events(t) if e[2]["code"] == "KES.RSUD"])
                 for t in ("config.category_added", "config.category_renamed", "config.category_deactivated")]
        self.assertEqual([(t, len(events)) for t, events in kinds],
                         [("config.category_added", 1), ("config.category_renamed", 1),
                          ("config.category_deactivated", 1)])
        self.assertEqual(kinds[1][1][0][2]["name"], "Rumah Sakit Umum Daerah")

    def test_invalid_category_names_the_field(self):
        base = {"code": "KES.BARU", "parent": "KES", "name": "Baru", "name_en": "New"}
        for change, field in [({"code": "kes baru"}, "code"), ({"code": None}, "code"),
                              ({"parent": "NOPE"}, "parent"), ({"parent": "KES.PUSKESMAS"}, "parent"),
                              ({"name_en": None}, "name_en"), ({"name": " "}, "name"),
                              ({"code": "KES.PUSKESMAS"}, "code")]:
            body = {k: v for k, v in dict(base, **change).items() if v is not None}
            with self.subTest(body=body):
                status, doc = self.call("nas", "POST", CATEGORIES, body)
                self.assertEqual(status, 422, doc)
                self.assertEqual([e["field"] for e in doc["errors"]], [field])
        self.assertEqual(self.call("nas", "PATCH", f"{CATEGORIES}/NOPE", {"name": "X"})[0], 404)
        self.assertEqual(self.call("nas", "POST", f"{CATEGORIES}/NOPE/deactivate")[0], 404)
        self.assertNotIn("KES.BARU", self.offered())

    def test_a_deactivated_category_is_reactivated_once_its_group_is_active(self):
        for body in ({"code": "UJI", "name": "Uji", "name_en": "Trial"},
                     {"code": "UJI.SATU", "parent": "UJI", "name": "Uji satu", "name_en": "Trial one"}):
            self.assertEqual(self.call("nas", "POST", CATEGORIES, body)[0], 201)
        for code in ("UJI.SATU", "UJI"):
            self.assertEqual(self.call("nas", "POST", f"{CATEGORIES}/{code}/deactivate")[0], 200)
        status, doc = self.call("nas", "POST", f"{CATEGORIES}/UJI.SATU/reactivate")
        self.assertEqual(status, 422, doc)   # its group is inactive
        self.assertEqual([(e["field"], e["code"]) for e in doc["errors"]], [("code", "parent_inactive")])
        self.assertEqual(self.call("kota", "POST", f"{CATEGORIES}/UJI/reactivate")[0], 403)
        for code in ("UJI", "UJI.SATU"):
            status, doc = self.call("nas", "POST", f"{CATEGORIES}/{code}/reactivate")
            self.assertEqual((status, doc["active"]), (200, True))
        self.assertEqual(self.call("nas", "POST", f"{CATEGORIES}/UJI/reactivate")[0], 200)   # active: no event
        self.assertEqual(self.offered()["UJI.SATU"], "Uji satu")
        self.assertEqual(self.call("nas", "POST", f"{CATEGORIES}/NOPE/reactivate")[0], 404)
        self.assertEqual(self.call("nas", "GET", f"{CATEGORIES}/UJI/reactivate")[0], 405)
        reactivated = [e[2]["code"] for e in self.config_events("config.category_reactivated")]
        self.assertEqual(sorted(c for c in reactivated if c.startswith("UJI")), ["UJI", "UJI.SATU"])

    # --- notification templates --------------------------------------------------------------------

    def template(self, name, language):
        status, doc = self.call("nas", "GET", TEMPLATES)
        self.assertEqual(status, 200, doc)
        return next(t for t in doc["templates"] if (t["template"], t["language"]) == (name, language))

    def test_edited_template_is_the_next_message(self):
        old = self.template("submitted", "id")
        self.assertIn("report.submitted", old["event_types"])
        edited = {"template": "submitted", "language": "id", "subject": "Diterima (baru): {{tracking_id}}",
                  "text_body": "Laporan {{tracking_id}} diterima.{{#title}} Judul: {{title}}.{{/title}}\n{{tracking_url}}\n",
                  "html_body": "<p>Laporan <b>{{tracking_id}}</b> diterima.</p>"}
        status, doc = self.call("nas", "POST", PREVIEWS, edited)
        self.assertEqual(status, 200, doc)
        self.assertEqual(doc["subject"], "Diterima (baru): ADU-2026-0001-ABCD")
        self.assertIn("Judul: Jalan berlubang", doc["text_body"])
        self.assertEqual(self.template("submitted", "id")["subject"], old["subject"], "a preview stores nothing")

        status, doc = self.call("nas", "POST", TEMPLATES, edited)
        self.assertEqual(status, 200, doc)
        self.assertEqual(doc["subject"], edited["subject"])
        tid = self.submit(title="Drainase tersumbat di Batam")
        mails = self.sys.wait_for(lambda: [m for m in self.sys.mail.messages() if tid in (m["subject"] or "")],
                                  what="the reporter's mail")
        self.assertEqual(mails[0]["subject"], f"Diterima (baru): {tid}")
        changed = [e for e in self.config_events("config.template_changed") if e[2]["template"] == "submitted"]
        self.assertEqual([e[2]["language"] for e in changed], ["id"])
        self.assertEqual(self.call("nas", "POST", TEMPLATES, edited)[0], 200)   # the same texts: no new event
        self.assertEqual(len([e for e in self.config_events("config.template_changed")
                              if e[2]["template"] == "submitted"]), 1)
        restored = {k: old[k] for k in ("template", "language", "subject", "text_body", "html_body")}
        self.assertEqual(self.call("nas", "POST", TEMPLATES, restored)[0], 200)

    def test_invalid_template_names_the_field(self):
        good = {"template": "submitted", "language": "en", "subject": "Report {{tracking_id}}",
                "text_body": "Thanks.", "html_body": "<p>Thanks.</p>"}
        for change, field in [({"subject": "Report {{nomor}}"}, "subject"),          # a name messages do not know
                              ({"text_body": "{{#note}}unclosed"}, "text_body"),
                              ({"html_body": "{{tracking_id"}, "html_body"),
                              ({"language": "fr"}, "language"),
                              ({"template": "no_such_template"}, "template"),
                              ({"subject": ""}, "subject")]:
            body = dict(good, **change)
            with self.subTest(body=body):
                status, doc = self.call("nas", "POST", TEMPLATES, body)
                self.assertEqual(status, 422, doc)
                self.assertEqual([e["field"] for e in doc["errors"]], [field])
        status, doc = self.call("nas", "POST", PREVIEWS, dict(good, subject="{{nomor}}"))
        self.assertEqual((status, [e["field"] for e in doc.get("errors", [])]), (422, ["subject"]))
        self.assertEqual(self.call("kota", "POST", TEMPLATES, good)[0], 403)
        self.assertEqual(self.call("pupr", "GET", TEMPLATES)[0], 403)

    def test_each_template_has_its_own_names(self):
        status, doc = self.call("nas", "GET", TEMPLATES)
        self.assertEqual(status, 200, doc)
        rows = {(t["template"], t["language"]): t for t in doc["templates"]}
        self.assertIn("unsubscribe_url", rows[("follow_step", "id")]["names"])
        self.assertNotIn("unsubscribe_url", rows[("submitted", "id")]["names"])
        self.assertEqual(rows[("sign_in_code", "en")]["names"], ["code", "valid_minutes"])
        self.assertEqual(rows[("sign_in_code", "en")]["required_names"], ["code", "valid_minutes"])
        self.assertEqual(rows[("submitted", "en")]["required_names"], [])
        # the follower's mail carries its unsubscribe link, so its edit may use it (and no other's)
        step = {k: rows[("follow_step", "en")][k] for k in ("template", "language", "subject", "text_body", "html_body")}
        self.assertIn("{{unsubscribe_url}}", step["text_body"])
        self.assertEqual(self.call("nas", "POST", TEMPLATES, step)[0], 200)
        status, doc = self.call("nas", "POST", TEMPLATES, dict(step, template="submitted"))
        self.assertEqual((status, [e["field"] for e in doc["errors"]]), (422, ["text_body", "html_body"]))
        status, doc = self.call("nas", "POST", TEMPLATES, dict(step, subject="{{code}}"))
        self.assertEqual((status, [e["field"] for e in doc["errors"]]), (422, ["subject"]))

    def test_sign_in_code_template_needs_the_code_and_its_lifetime(self):
        good = {"template": "sign_in_code", "language": "en", "subject": "Your code",
                "text_body": "Code {{code}}, {{valid_minutes}} minutes.",
                "html_body": "<p>Code <b>{{code}}</b>, {{valid_minutes}} minutes.</p>"}
        status, doc = self.call("nas", "POST", PREVIEWS, good)
        self.assertEqual(status, 200, doc)
        self.assertEqual(doc["text_body"], "Code 12345678, 10 minutes.")
        for change, field in [({"text_body": "Code {{code}}."}, "text_body"),
                              ({"html_body": "<p>{{valid_minutes}} minutes</p>"}, "html_body"),
                              ({"text_body": "{{#code}}a code{{/code}} {{valid_minutes}}"}, "text_body"),
                              ({"subject": "Code for {{tracking_id}}"}, "subject")]:
            body = dict(good, **change)
            with self.subTest(body=body):
                for path in (PREVIEWS, TEMPLATES):
                    status, doc = self.call("nas", "POST", path, body)
                    self.assertEqual(status, 422, doc)
                    self.assertEqual([(e["field"], e["code"]) for e in doc["errors"]], [(field, "placeholder")])
        stored = self.template("sign_in_code", "en")
        self.assertIn("{{code}}", stored["text_body"], "nothing refused was stored")

    # --- seeds ---------------------------------------------------------------------------------------

    def test_migrate_does_not_bring_back_what_an_admin_removed(self):
        day, name = "2026-08-17", "Hari Kemerdekaan Republik Indonesia"
        rules = {r["id"]: r for r in self.call("nas", "GET", RULES)[1]["rules"]}
        seeded = next(r for r in rules.values() if (r["category"], r["region"]) == ("SOSIAL", "21.72"))
        self.assertEqual(self.call("nas", "DELETE", f"{HOLIDAYS}/{day}")[0], 204)
        self.assertEqual(self.call("nas", "DELETE", f"{RULES}/{seeded['id']}")[0], 204)
        self.sys.db.migrate()   # loads the seeds again, as every upgrade does
        self.assertNotIn(day, self.holidays())
        self.assertNotIn(("SOSIAL", "21.72"), [(r["category"], r["region"])
                                               for r in self.call("nas", "GET", RULES)[1]["rules"]])
        self.assertEqual(self.call("nas", "POST", HOLIDAYS, {"day": day, "name": name})[0], 201)
        status, doc = self.call("nas", "POST", RULES, {"category": "SOSIAL", "region": "21.72",
                                                       "institution": seeded["institution"]})
        self.assertEqual(status, 201, doc)
        # other tests' removals stay: only these two are taken back
        self.assertEqual(self.sys.db.scalar(
            "SELECT count(*) FROM removed_reference_rows WHERE (table_name, key) IN "
            f"(('holidays', '{day}'), ('routing_rules', routing_rule_key('SOSIAL', '21.72')))"), "0")

    # --- who ---------------------------------------------------------------------------------------

    def test_only_national_admins_edit_national_data(self):
        holiday = {"day": "2027-12-24", "name": "Cuti bersama Natal"}
        rule = {"category": "KES", "region": "21.72", "institution": "KOTA-21.72.DINSOS"}
        category = {"code": "KES.LAIN", "parent": "KES", "name": "Lain", "name_en": "Other"}
        template = {"template": "submitted", "language": "id", "subject": "S", "text_body": "T", "html_body": "<p>H</p>"}
        for who, expected in [("kota", 403), ("pupr", 403), ("nobody", 401)]:
            with self.subTest(who=who):
                self.assertEqual(self.call(who, "POST", HOLIDAYS, holiday)[0], expected)
                self.assertEqual(self.call(who, "DELETE", f"{HOLIDAYS}/2027-01-01")[0], expected)
                self.assertEqual(self.call(who, "POST", CATEGORIES, category)[0], expected)
                self.assertEqual(self.call(who, "PATCH", f"{CATEGORIES}/KES", {"name": "X"})[0], expected)
                self.assertEqual(self.call(who, "POST", f"{CATEGORIES}/KES/deactivate")[0], expected)
                self.assertEqual(self.call(who, "POST", TEMPLATES, template)[0], expected)
                self.assertEqual(self.call(who, "POST", PREVIEWS, template)[0], expected)
        for who, expected in [("pupr", 403), ("nobody", 401)]:   # the rules: admins (above)
            with self.subTest(who=who):
                self.assertEqual(self.call(who, "GET", HOLIDAYS)[0], expected)
                self.assertEqual(self.call(who, "POST", RULES, rule)[0], expected)
                self.assertEqual(self.call(who, "DELETE", f"{RULES}/1")[0], expected)
        self.assertNotIn("2027-12-24", self.holidays())
        self.assertEqual(self.call("nas", "PUT", HOLIDAYS, holiday)[0], 405)

    def test_openapi_document_names_the_admin_routes(self):
        paths = self.sys.json("GET", "/api/v1/openapi.json")[2]["paths"]
        for path in (HOLIDAYS, HOLIDAYS + "/{day}", RULES, RULES + "/{id}", CATEGORIES, CATEGORIES + "/{code}",
                     CATEGORIES + "/{code}/deactivate", CATEGORIES + "/{code}/reactivate", TEMPLATES, PREVIEWS):
            self.assertIn(path, paths)


if __name__ == "__main__":
    unittest.main()
