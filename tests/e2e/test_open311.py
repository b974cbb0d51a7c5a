"""End to end (issue 15): the Open311 GeoReport v2 server at /open311/v2/, in XML and JSON, checked
against the standard's own shapes (docs/open311.md, ../shared/docs/OPEN311.md): element names and
order, types, content types, errors (several at once), the 90-day default window, privacy on every
read path, API keys per app (aduan-admin and the admin endpoint), and a FixMyStreet-style run."""
import json
import os
import re
import subprocess
import sys
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

from aduan_harness import BIN_DIR, System, SystemTestCase, valid_report

BASE = "/open311/v2"
XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"]
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
REPORTER = {"first_name": "Wibisono", "last_name": "Hartanto", "email": "wibi.hartanto@example.org",
            "phone": "+62 813-5550-9876"}


class Open311(SystemTestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.sys = System("open311", lifecycle=True).start()
        cls.sys.create_staff("nas", "national_admin", "NASIONAL")
        cls.nas = cls.sys.login("nas")
        cls.key = cls.issue_cli("batamapp", "21.71")
        cls.fms_key = cls.issue_cli("fixmystreet", "21.71", "--token")

    @classmethod
    def issue_cli(cls, name, region, *flags):
        done = subprocess.run([os.path.join(BIN_DIR, "aduan-admin"), "open311-key", "issue", name, region, *flags],
                              env={**os.environ, "ADUAN_DB_URL": cls.sys.db.service_url("aduan-gateway")},
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        return done.stdout.strip()

    # -- helpers
    def get(self, path, **params):
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        return self.sys.request("GET", BASE + path + query)

    def post(self, path, fields):
        return self.sys.request("POST", BASE + path, urllib.parse.urlencode(fields), headers=FORM)

    def xml(self, status, headers, raw, expected_status=200):
        self.assertEqual(status, expected_status, raw)
        self.assertEqual(headers["content-type"], XML_TYPE)
        # encoding names are case-insensitive (XML 1.0, 4.3.3); libxml2 writes them upper case
        self.assertTrue(raw.lower().startswith(b'<?xml version="1.0" encoding="utf-8"?>'), raw[:80])
        return ET.fromstring(raw)

    def js(self, status, headers, raw, expected_status=200):
        self.assertEqual(status, expected_status, raw)
        self.assertEqual(headers["content-type"], JSON_TYPE)
        return json.loads(raw)

    def submit(self, key=None, **fields):
        body = {"api_key": key or self.key, "service_code": "JALAN.BERLUBANG", "lat": "1.1456", "long": "104.0113",
                "address_string": "Jl. Raden Patah", "description": "Lubang besar di depan pasar, bahaya.",
                **REPORTER}
        body.update(fields)
        return body, self.js(*self.post("/requests.json", body), expected_status=201)

    def errors_xml(self, response, status):
        root = self.xml(*response, expected_status=status)
        self.assertEqual(root.tag, "errors")
        items = [(e.find("code").text, e.find("description").text) for e in root]
        self.assertTrue(all([c.tag for c in e] == ["code", "description"] for e in root))
        return items

    # -- discovery, services, definitions
    def test_discovery_both_formats(self):
        root = self.xml(*self.get("/discovery.xml"))
        self.assertEqual([c.tag for c in root], ["changeset", "contact", "key_service", "endpoints"])
        endpoint = root.find("endpoints/endpoint")
        self.assertEqual(endpoint.find("specification").text, "http://wiki.open311.org/GeoReport_v2")
        self.assertEqual([f.text for f in endpoint.findall("formats/format")], ["text/xml", "application/json"])
        self.assertRegex(root.find("changeset").text, W3C)
        doc = self.js(*self.get("/discovery.json"))
        self.assertEqual(doc["endpoints"][0]["formats"], ["text/xml", "application/json"])
        self.assertTrue(doc["endpoints"][0]["url"].endswith("/open311/v2"))

    def test_services_and_definitions(self):
        root = self.xml(*self.get("/services.xml"))
        self.assertEqual(root.tag, "services")
        services = {s.find("service_code").text: s for s in root.findall("service")}
        self.assertEqual([c.tag for c in services["JALAN.PJU"]],
                         ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"])
        self.assertEqual(services["JALAN.PJU"].find("metadata").text, "true")
        self.assertEqual(services["JALAN.BERLUBANG"].find("metadata").text, "false")
        self.assertEqual(services["JALAN.PJU"].find("type").text, "realtime")
        doc = self.js(*self.get("/services.json"))
        self.assertIsInstance(doc, list)
        pju = [s for s in doc if s["service_code"] == "JALAN.PJU"][0]
        self.assertIs(pju["metadata"], True)

        root = self.xml(*self.get("/services/JALAN.PJU.xml"))
        self.assertEqual(root.tag, "service_definition")
        self.assertEqual(root.find("service_code").text, "JALAN.PJU")
        attributes = root.findall("attributes/attribute")
        self.assertEqual([c.tag for c in attributes[1]], ["variable", "code", "datatype", "required",
                                                          "datatype_description", "order", "description", "values"])
        self.assertEqual([a.find("order").text for a in attributes], ["1", "2"])
        fault = attributes[1]
        self.assertEqual(fault.find("datatype").text, "singlevaluelist")
        self.assertEqual(fault.find("required").text, "true")
        self.assertEqual([(v.find("key").text, v.find("name").text) for v in fault.findall("values/value")][0],
                         ("off", "Mati"))
        doc = self.js(*self.get("/services/JALAN.PJU.json"))
        self.assertEqual(doc["attributes"][1]["order"], 2)
        self.assertIs(doc["attributes"][1]["required"], True)
        # a service without metadata has no definition, an unknown one neither
        self.assertEqual(self.errors_xml(self.get("/services/JALAN.BERLUBANG.xml"), 404)[0][0], "404")
        self.assertEqual(self.js(*self.get("/services/NOPE.json"), expected_status=404)[0]["code"], 404)

    def test_unknown_resource_format_and_jurisdiction(self):
        self.errors_xml(self.get("/services.html"), 404)
        self.errors_xml(self.get("/nothing.xml"), 404)
        self.errors_xml(self.get("/services.xml", jurisdiction_id="elsewhere"), 404)
        self.xml(*self.get("/services.xml", jurisdiction_id="aduan"))
        self.xml(*self.get("/services.xml", jurisdiction_id=""))   # sent empty counts as absent

    # -- POST requests
    def test_post_errors_several_at_once(self):
        items = self.errors_xml(self.post("/requests.xml", {"description": "x"}), 403)
        codes = sorted(c for c, _ in items)
        self.assertEqual(codes, ["400", "400", "403"], items)
        self.assertEqual(self.errors_xml(self.post("/requests.xml", {"api_key": "wrong", "service_code": "JALAN.PJU",
                                                                      "lat": "1", "long": "104"}), 403)[0][0], "403")
        doc = self.js(*self.post("/requests.json", {"api_key": self.key, "lat": "100", "long": "104"}), expected_status=400)
        self.assertEqual(len(doc), 2, doc)   # service_code missing, lat out of range
        doc = self.js(*self.post("/requests.json", {"api_key": self.key, "service_code": "NOPE",
                                                    "address_string": "Jl. Sudirman 1"}), expected_status=400)
        self.assertIn("service_code", doc[0]["description"])
        doc = self.js(*self.post("/requests.json", {"api_key": self.key, "service_code": "JALAN.BERLUBANG",
                                                    "address_string": "Jl. Sudirman 1", "description": "x" * 4001}),
                      expected_status=400)
        self.assertIn("4000", doc[0]["description"])
        status, _, raw = self.sys.request("POST", BASE + "/requests.json", "{}", headers={"Content-Type": "application/json"})
        self.assertEqual(status, 400, raw)

    def test_post_then_read_back_in_both_formats(self):
        body, doc = self.submit(description="Lubang di depan Pasar Jodoh makin lebar.")
        self.assertEqual(list(doc[0].keys()), ["service_request_id", "service_notice", "account_id"])
        tid = doc[0]["service_request_id"]
        self.assertIsInstance(tid, str)
        # a resent POST (same app, same fields) is the same report
        _, again = self.submit(description="Lubang di depan Pasar Jodoh makin lebar.")
        self.assertEqual(again[0]["service_request_id"], tid)
        self.assertEqual(self.sys.db.scalar(f"SELECT count(*) FROM reports WHERE tracking_id = '{tid}'"), "1")
        self.assertEqual(self.sys.db.scalar(f"SELECT channel FROM reports WHERE tracking_id = '{tid}'"), "open311.batamapp")
        # statistics count it under the app's channel
        self.sys.wait_for(lambda: self.sys.db.scalar(f"SELECT channel FROM stat_reports WHERE tracking_id = '{tid}'")
                          == "open311.batamapp", 30, "the report counted by app")
        status, _, summary = self.sys.json("GET", "/api/v1/stats/summary?group_by=channel&channel=open311.batamapp",
                                           headers=self.nas)
        self.assertEqual(status, 200, summary)
        self.assertEqual([g["key"] for g in summary["groups"]], ["open311.batamapp"])
        self.assertEqual(self.sys.db.scalar(f"SELECT reporter_name || '|' || reporter_email FROM reports "
                                            f"WHERE tracking_id = '{tid}'"),
                         "Wibisono Hartanto|wibi.hartanto@example.org")

        root = self.xml(*self.get(f"/requests/{tid}.xml"))
        self.assertEqual(root.tag, "service_requests")
        request = root.findall("request")
        self.assertEqual(len(request), 1)
        self.assertEqual([c.tag for c in request[0]], REQUEST_FIELDS)
        self.assertEqual(request[0].find("status").text, "open")
        self.assertEqual(request[0].find("service_code").text, "JALAN.BERLUBANG")
        self.assertEqual(float(request[0].find("lat").text), 1.1456)
        for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
            self.assertRegex(request[0].find(name).text, W3C)
        doc = self.js(*self.get(f"/requests/{tid}.json"))
        self.assertEqual(list(doc[0].keys()), REQUEST_FIELDS)
        self.assertEqual(doc[0]["service_request_id"], tid)
        self.assertIsInstance(doc[0]["long"], float)
        self.assertEqual(self.errors_xml(self.get("/requests/AAAA-BBBB-CCCC.xml"), 404)[0][0], "404")
        self.assertEqual(self.js(*self.get("/requests/nonsense.json"), expected_status=404)[0]["code"], 404)

    def test_list_filters_window_and_paging(self):
        _, a = self.submit(description="Lampu jalan mati di simpang lima.", service_code="JALAN.TROTOAR")
        _, b = self.submit(description="Trotoar rusak di depan sekolah dasar.", service_code="JALAN.TROTOAR",
                           lat="-6.2001", long="106.8166")
        ida, idb = a[0]["service_request_id"], b[0]["service_request_id"]
        for tid in (ida, idb):   # only verified reports are listed
            status, body = self.sys.act(tid, self.nas, "verify")
            self.assertEqual(status, 200, body)
        root = self.xml(*self.get("/requests.xml", service_code="JALAN.TROTOAR"))
        ids = [r.find("service_request_id").text for r in root.findall("request")]
        self.assertEqual(ids[:2], [idb, ida])   # newest first
        doc = self.js(*self.get("/requests.json", service_request_id=f"{ida},{idb}", service_code="NOPE"))
        self.assertEqual(sorted(r["service_request_id"] for r in doc), sorted([ida, idb]))  # ids override
        self.assertEqual(self.js(*self.get("/requests.json", service_code="JALAN.TROTOAR", status="closed")), [])
        root = self.xml(*self.get("/requests.xml", service_code="NOPE"))
        self.assertEqual((root.tag, len(root)), ("service_requests", 0))   # an empty result
        page = self.js(*self.get("/requests.json", service_code="JALAN.TROTOAR", page_size="1", page="2"))
        self.assertEqual([r["service_request_id"] for r in page], [ida])
        near = self.js(*self.get("/requests.json", lat="-6.2002", long="106.8167", radius="100"))
        self.assertEqual([r["service_request_id"] for r in near], [idb])
        # the default window: the last 90 days; an older report needs an explicit window
        self.sys.db.scalar(f"UPDATE reports SET submitted_at = now() - interval '100 days' WHERE tracking_id = '{ida}'")
        listed = [r["service_request_id"] for r in self.js(*self.get("/requests.json"))]
        self.assertIn(idb, listed)
        self.assertNotIn(ida, listed)
        old = self.js(*self.get("/requests.json", start_date="2000-01-01T00:00:00Z", end_date="2000-03-01T00:00:00+07:00"))
        self.assertEqual(old, [])
        self.assertEqual(len(self.js(*self.get("/requests.json", page_size="1"))), 1)
        # errors, all at once
        doc = self.js(*self.get("/requests.json", start_date="2026-01-01", end_date="x", status="pending",
                                page_size="1001", lat="1"), expected_status=400)
        self.assertEqual(len(doc), 5, doc)
        doc = self.js(*self.get("/requests.json", start_date="2026-01-01T00:00:00Z", end_date="2026-06-01T00:00:00Z"),
                      expected_status=400)
        self.assertIn("90 days", doc[0]["description"])

    def test_extensions_notes_and_updates(self):
        _, doc = self.submit(description="Jalan amblas dekat jembatan Barelang.")
        tid = doc[0]["service_request_id"]
        status, body = self.sys.act(tid, self.nas, "verify")
        self.assertEqual(status, 200, body)
        plain = self.js(*self.get(f"/requests/{tid}.json"))[0]
        self.assertNotIn("notes", plain)
        # dispatch follows verification through the stream: then an agency holds it
        full = self.sys.wait_for(lambda: [r for r in self.js(*self.get(f"/requests/{tid}.json", extensions="true"))
                                          if r["agency_responsible"]], 30, "the dispatch")[0]
        self.assertEqual([n["type"] for n in full["notes"]][:2], ["submitted", "verify"])
        self.assertEqual(list(full["notes"][0].keys()), ["datetime", "summary", "type"])
        self.assertIn(full["extended_attributes"]["status"], ("open", "action_scheduled"))
        self.assertTrue(full["agency_responsible"], full)
        root = self.xml(*self.get("/requests.xml", extensions="true", service_request_id=tid))
        self.assertEqual(root.find("request/notes/note/type").text, "submitted")
        # servicerequestupdates: api_key required
        self.assertEqual(self.errors_xml(self.get("/servicerequestupdates.xml"), 403)[0][0], "403")
        root = self.xml(*self.get("/servicerequestupdates.xml", api_key=self.key))
        self.assertEqual(root.tag, "service_request_updates")
        mine = [u for u in root.findall("request_update") if u.find("service_request_id").text == tid]
        self.assertTrue(mine)
        self.assertEqual([c.tag for c in mine[0]], ["service_request_id", "update_id", "status", "updated_datetime",
                                                    "description", "media_url"])
        doc = self.js(*self.get("/servicerequestupdates.json", api_key=self.key))
        self.assertTrue(any(u["service_request_id"] == tid for u in doc))

    def test_post_update_from_the_app_the_report_came_from(self):
        _, doc = self.submit(description="Lampu taman padam di blok C perumahan.")
        tid = doc[0]["service_request_id"]
        status, body = self.sys.act(tid, self.nas, "postpone", reason_code="unclear_location",
                                    note="Di blok mana tepatnya?")
        self.assertEqual(status, 200, body)
        update = {"api_key": self.key, "service_request_id": tid, "update_id": "fms-77", "status": "OPEN",
                  "updated_datetime": "2026-11-30T08:00:00+07:00", "description": "Blok C nomor 12, dekat pos ronda."}
        # another app may not speak for this report's reporter
        other = self.errors_xml(self.post("/servicerequestupdates.xml", {**update, "api_key": self.fms_key}), 403)
        self.assertEqual(other[0][0], "403")
        root = self.xml(*self.post("/servicerequestupdates.xml", update), expected_status=201)
        self.assertEqual(root.tag, "service_request_updates")
        update_id = root.find("request_update/update_id").text
        # a resend is the same step
        again = self.js(*self.post("/servicerequestupdates.json", update), expected_status=201)
        self.assertEqual(again, [{"update_id": update_id}])
        self.assertEqual(self.sys.db.scalar(f"SELECT count(*) FROM report_actions a JOIN reports r ON r.id = a.report_id "
                                            f"WHERE r.tracking_id = '{tid}' AND a.action = 'add_data'"), "1")
        # now waiting for verification again: no reporter step fits
        items = self.errors_xml(self.post("/servicerequestupdates.xml", {**update, "update_id": "fms-78"}), 400)
        self.assertIn("status", items[0][1])
        # its updates are listed once it is verified
        status, body = self.sys.act(tid, self.nas, "verify")
        self.assertEqual(status, 200, body)
        listed = self.js(*self.get("/servicerequestupdates.json", api_key=self.key))
        mine = [u for u in listed if u["update_id"] == update_id]
        self.assertEqual(mine[0]["description"], "Blok C nomor 12, dekat pos ronda.")
        self.assertEqual(mine[0]["status"], "for_triage")
        doc = self.js(*self.post("/servicerequestupdates.json", {"api_key": self.key, "status": "MAYBE"}),
                      expected_status=400)
        self.assertEqual(len(doc), 5, doc)   # four missing, one wrong status

    # -- privacy on every read path
    def test_privacy_on_every_read_path(self):
        secret = {"title": "Pungutan liar loket rahasia", "body": "Petugas loket RAHASIA-311 meminta uang tambahan.",
                  "location": {"address": "Jalan Kenanga RAHASIA-311", "lat": 1.1301, "lon": 104.0501},
                  "anonymous": True, "confidential": True,
                  "reporter": {"name": "Nama RAHASIA-311", "email": "rahasia311@example.org", "phone": "+62 811 311 311"}}
        status, _, doc = self.sys.json("POST", "/api/v1/reports", valid_report(**secret))
        self.assertEqual(status, 201, doc)
        tid = doc["tracking_id"]
        status, body = self.sys.act(tid, self.nas, "verify", note="Catatan RAHASIA-311")
        self.assertEqual(status, 200, body)
        _, mine = self.submit(description="Jalan rusak di depan rumah warga.")
        reads = [self.get(f"/requests/{tid}.xml"), self.get(f"/requests/{tid}.json", extensions="true"),
                 self.get("/requests.xml", extensions="true"), self.get("/requests.json", service_request_id=tid),
                 self.get("/servicerequestupdates.xml", api_key=self.key),
                 self.get("/servicerequestupdates.json", api_key=self.key),
                 self.get(f"/requests/{mine[0]['service_request_id']}.xml", extensions="true")]
        for status, _, raw in reads:
            self.assertEqual(status, 200, raw)
            for leak in ("RAHASIA", "rahasia311", "811 311", "Wibisono", "wibi.hartanto", "5550", "1.1301"):
                self.assertNotIn(leak.encode(), raw)
        # found by id, but not by its position
        self.assertEqual(len(self.js(*reads[3])), 1)
        near = self.js(*self.get("/requests.json", lat="1.1301", long="104.0501", radius="50"))
        self.assertNotIn(tid, [r["service_request_id"] for r in near])

    def test_unverified_reports_are_not_listed(self):
        """Until verified (waiting or postponed) a report is on no list, whatever the filter: its verifier
        may still make it confidential. Its own reads (by id, by token) still answer, as its tracking page."""
        body = {"api_key": self.fms_key, "service_code": "JALAN.BERLUBANG", "lat": "1.0311", "long": "104.3111",
                "address_string": "Jl. Belum Diperiksa", "description": "Selokan BELUMVERIF-311 meluap ke jalan."}
        token = self.js(*self.post("/requests.json", body), expected_status=201)[0]["token"]
        waiting = self.js(*self.get(f"/tokens/{token}.json"))[0]["service_request_id"]
        _, made = self.submit(description="Jembatan TUNDA-311 retak.", lat="1.0312", long="104.3112")
        postponed = made[0]["service_request_id"]
        status, reply = self.sys.act(postponed, self.nas, "postpone", reason_code="unclear_location", note="Di mana?")
        self.assertEqual(status, 200, reply)
        ids = {waiting, postponed}

        def listed():
            found = set()
            for fmt in ("xml", "json"):
                for params in ({}, {"service_code": "JALAN.BERLUBANG"}, {"status": "open"}, {"extensions": "true"},
                               {"lat": "1.0311", "long": "104.3111", "radius": "500"},
                               {"start_date": "2026-01-01T00:00:00Z"}):
                    found |= self.listed_ids(self.get(f"/requests.{fmt}", **params), fmt, "request")
                found |= self.listed_ids(self.get(f"/servicerequestupdates.{fmt}", api_key=self.key), fmt,
                                         "request_update")
            return found

        self.assertEqual(listed() & ids, set())
        # its own reads answer, with what its tracking page shows publicly
        for tid in ids:
            one = self.js(*self.get(f"/requests/{tid}.json"))
            self.assertEqual([r["service_request_id"] for r in one], [tid])
            status, _, page = self.sys.json("GET", f"/api/v1/reports/{tid}")
            self.assertEqual(status, 200, page)
            self.assertEqual(page["public_status"], "not_yet_verified")
            self.assertEqual(one[0]["description"], page["body"])
            self.assertEqual(one[0]["lat"], page["location"]["lat"])
            root = self.xml(*self.get(f"/requests/{tid}.xml"))
            self.assertEqual(root.find("request/service_request_id").text, tid)
        self.assertEqual(self.js(*self.get("/requests.json", service_request_id=waiting))[0]["service_request_id"],
                         waiting)
        self.assertEqual(self.xml(*self.get(f"/tokens/{token}.xml")).find("request/service_request_id").text, waiting)
        # once verified (the postponed one after its reporter adds data), both are listed
        added = {"api_key": self.key, "service_request_id": postponed, "update_id": "tunda-1", "status": "OPEN",
                 "updated_datetime": "2026-11-30T09:00:00+07:00", "description": "Jembatan di ujung gang lima."}
        self.js(*self.post("/servicerequestupdates.json", added), expected_status=201)
        self.assertEqual(listed() & ids, set())
        for tid in ids:
            status, reply = self.sys.act(tid, self.nas, "verify")
            self.assertEqual(status, 200, reply)
        self.assertEqual(listed() & ids, ids)

    def listed_ids(self, response, fmt, item):
        if fmt == "json":
            return {r["service_request_id"] for r in self.js(*response)}
        return {r.find("service_request_id").text for r in self.xml(*response).findall(item)}

    # -- keys
    def test_admin_endpoint_issues_and_revokes(self):
        status, _, doc = self.sys.json("POST", "/api/v1/admin/open311-keys", {"name": "kotaapp", "region": "21.71"},
                                       headers=self.nas)
        self.assertEqual(status, 201, doc)
        self.assertEqual(doc["channel"], "open311.kotaapp")
        key = doc["api_key"]
        self.assertEqual(self.sys.db.scalar("SELECT count(*) FROM open311_keys WHERE key_hash = "
                                            f"encode(sha256('{key}'::bytea), 'hex')"), "1")
        self.assertEqual(self.sys.db.scalar(f"SELECT count(*) FROM open311_keys WHERE key_hash = '{key}'"), "0")
        status, _, again = self.sys.json("POST", "/api/v1/admin/open311-keys", {"name": "kotaapp", "region": "21.71"},
                                         headers=self.nas)
        self.assertEqual(status, 422, again)
        _, made = self.submit(key=key, description="Saluran air tersumbat di gang tiga.")
        self.assertTrue(made[0]["service_request_id"])
        # no description, or a short one: the report still says what was asked for
        for short in ({}, {"description": "Rusak!"}):
            body = {"api_key": key, "service_code": "JALAN.TROTOAR", "address_string": "Jl. Nagoya 3", **short}
            doc = self.js(*self.post("/requests.json", body), expected_status=201)
            tid = doc[0]["service_request_id"]
            self.assertEqual(self.sys.db.scalar(f"SELECT title || '|' || body FROM reports WHERE tracking_id = '{tid}'"),
                             ("Rusak!|Laporan layanan JALAN.TROTOAR: Rusak!" if short
                              else "Laporan layanan JALAN.TROTOAR|Laporan layanan JALAN.TROTOAR"))
        status, _, listed = self.sys.json("GET", "/api/v1/admin/open311-keys", headers=self.nas)
        self.assertIn("kotaapp", [k["name"] for k in listed["items"]])
        self.assertNotIn(key, json.dumps(listed))
        status, _, _ = self.sys.request("DELETE", "/api/v1/admin/open311-keys/kotaapp", headers=self.nas)
        self.assertEqual(status, 204)
        body = {"api_key": key, "service_code": "JALAN.BERLUBANG", "address_string": "Jl. Sudirman 2"}
        self.assertEqual(self.errors_xml(self.post("/requests.xml", body), 403)[0][0], "403")
        status, _, _ = self.sys.json("GET", "/api/v1/admin/open311-keys")
        self.assertEqual(status, 401)

    # -- FixMyStreet
    def test_fixmystreet_style_run(self):
        fields = [("api_key", self.fms_key), ("service_code", "JALAN.PJU"), ("lat", "1.1201"), ("long", "104.0301"),
                  ("description", "Lampu jalan di depan masjid mati sejak minggu lalu."),
                  ("first_name", "Budi"), ("last_name", "Santoso"), ("email", "budi@example.org"),
                  ("deviceid", "fms-42"), ("address_id", "#NOTPINPOINTED#"), ("attribute[fault]", "off"),
                  ("attribute[pole_number]", "PJU-17"), ("attribute[fixmystreet_id]", "4242")]
        raw_body = urllib.parse.urlencode(fields)
        status, headers, raw = self.sys.request("POST", BASE + "/requests.xml", raw_body, headers=FORM)
        root = self.xml(status, headers, raw, expected_status=201)
        self.assertEqual([c.tag for c in root.find("request")], ["token", "service_notice", "account_id"])
        token = root.find("request/token").text
        self.assertIsNone(root.find("request/service_request_id"))
        # FixMyStreet resends: the same token, the same single report
        again = self.xml(*self.sys.request("POST", BASE + "/requests.xml", raw_body, headers=FORM), expected_status=201)
        self.assertEqual(again.find("request/token").text, token)
        polled = self.xml(*self.get(f"/tokens/{token}.xml"))
        self.assertEqual([c.tag for c in polled.find("request")], ["service_request_id", "token"])
        tid = polled.find("request/service_request_id").text
        self.assertEqual(self.sys.db.scalar(f"SELECT count(*) FROM reports WHERE body LIKE '%fixmystreet_id: 4242%fault: off%' OR body LIKE '%fault: off%fixmystreet_id: 4242%'"), "1")
        self.assertEqual(self.sys.db.scalar(f"SELECT channel FROM reports WHERE tracking_id = '{tid}'"),
                         "open311.fixmystreet")
        self.assertEqual(self.errors_xml(self.get("/tokens/" + "0" * 32 + ".xml"), 404)[0][0], "404")
        # the definition is enforced: a required attribute missing, a value not in the list
        missing = [f for f in fields if f[0] != "attribute[fault]"]
        items = self.errors_xml(self.sys.request("POST", BASE + "/requests.xml", urllib.parse.urlencode(missing),
                                                 headers=FORM), 400)
        self.assertIn("attribute[fault]", items[0][1])
        wrong = [(k, "broken" if k == "attribute[fault]" else v) for k, v in fields]
        self.errors_xml(self.sys.request("POST", BASE + "/requests.xml", urllib.parse.urlencode(wrong), headers=FORM), 400)
        root = self.xml(*self.get(f"/requests/{tid}.xml"))
        self.assertEqual(root.find("request/service_code").text, "JALAN.PJU")
        self.assertNotIn(b"Budi", self.get(f"/requests/{tid}.xml")[2])


if __name__ == "__main__":
    unittest.main()
