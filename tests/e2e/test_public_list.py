"""End to end (issue 16, point 4): GET /api/v1/reports, the public list. Filters, full-text search
and paging answer from intake's report.list; a confidential report is never listed (neither its
content nor its tracking id), and no item carries anything of the reporter. And "dukung"
(/reports/{id}/support): once per supporter id, rate-limited per address, the count in the list
and in the statistics (report.supported), never for a confidential report. A report nobody has
verified yet (waiting or postponed) may still be made confidential by its verifier: it is neither
listed, offered as similar nor supportable until it is verified."""
import json
import subprocess
import unittest
import urllib.parse

from aduan_harness import System, SystemTestCase, valid_report

REPORTER = {"name": "Wibisono Hartanto", "email": "wibi.hartanto@example.org", "phone": "+62 813-5550-9876"}


def verify(system, auth, tracking_id):
    """Verified by staff: only then may the report be published."""
    status, doc = system.act(tracking_id, auth, "verify")
    assert status == 200, doc


class PublicSystemTest(SystemTestCase):
    """A system whose verifier (national admin) is signed in as cls.nas."""
    @classmethod
    def start(cls, hint, **options):
        cls.sys = System(hint, lifecycle=True, **options).start()
        cls.sys.create_staff("nas", "national_admin", "NASIONAL")
        cls.nas = cls.sys.login("nas")

    def get(self, **query):
        return self.sys.json("GET", "/api/v1/reports?" + urllib.parse.urlencode(query))

    def listed(self, **query):
        status, headers, doc = self.get(**query)
        self.assertEqual(status, 200, doc)
        return [item["tracking_id"] for item in doc["items"]], doc


class PublicList(PublicSystemTest):
    @classmethod
    def setUpClass(cls):
        cls.start("public-list")
        cls.ids = {}
        for name, overrides in {
            "road": dict(title="Jalan berlubang kenari", body="Lubang besar di jalan Kenari membahayakan motor."),
            "lamp": dict(title="Lampu jalan padam", body="Lampu jalan mati sejak minggu lalu di gang Melati."),
            "anonymous": dict(title="Pungutan parkir liar", body="Juru parkir liar memungut uang di pasar kenari.",
                              anonymous=True),
            "secret": dict(title="Rahasia loket kenari", body="Petugas loket kenari meminta uang tambahan rahasia.",
                           confidential=True, location={"address": "Jalan Rahasia 9", "lat": 1.2, "lon": 104.1}),
        }.items():
            status, _, doc = cls.sys.json("POST", "/api/v1/reports",
                                          valid_report(reporter=REPORTER, **overrides))
            assert status == 201, doc
            cls.ids[name] = doc["tracking_id"]
            verify(cls.sys, cls.nas, doc["tracking_id"])

    def test_confidential_never_listed_and_no_reporter(self):
        for query in ({}, {"q": "kenari"}, {"q": "rahasia"}, {"region": "21"}, {"status": "not_yet_followed_up"}):
            ids, doc = self.listed(**query)
            self.assertNotIn(self.ids["secret"], ids, query)
            text = json.dumps(doc)
            for secret in ("Rahasia", "rahasia", "Jalan Rahasia 9", "Wibisono", "wibi.hartanto", "5550"):
                self.assertNotIn(secret, text, query)
        ids, _ = self.listed()
        self.assertEqual(set(ids), {self.ids["road"], self.ids["lamp"], self.ids["anonymous"]})

    def test_full_text_search(self):
        ids, _ = self.listed(q="kenari")
        self.assertEqual(set(ids), {self.ids["road"], self.ids["anonymous"]})
        ids, _ = self.listed(q="lampu padam")
        self.assertEqual(ids, [self.ids["lamp"]])
        ids, _ = self.listed(q="tidakada")
        self.assertEqual(ids, [])

    def test_filters(self):
        ids, _ = self.listed(category="JALAN")
        self.assertEqual(len(ids), 3, "the parent category selects its subcategories")
        ids, _ = self.listed(category="KESEHATAN")
        self.assertEqual(ids, [])
        ids, _ = self.listed(region="21")
        self.assertEqual(len(ids), 3, "a province selects the regions below it")
        ids, _ = self.listed(region="31")
        self.assertEqual(ids, [])
        ids, _ = self.listed(status="completed")
        self.assertEqual(ids, [])
        ids, _ = self.listed(**{"from": "2000-01-01", "to": "2000-12-31"})
        self.assertEqual(ids, [])
        ids, _ = self.listed(**{"from": "2000-01-01"})
        self.assertEqual(len(ids), 3)

    def test_paging(self):
        first, doc = self.listed(limit=2)
        self.assertEqual(len(first), 2)
        self.assertTrue(doc["has_more"])
        second, doc = self.listed(limit=2, offset=2)
        self.assertEqual(len(second), 1)
        self.assertFalse(doc["has_more"])
        self.assertFalse(set(first) & set(second))

    def follow_cursor(self, **query):
        """Every page of one item, each asked with the cursor of the page before."""
        ids, _, doc = [], None, {"next": None}
        while True:
            page, doc = self.listed(limit=1, **query, **({"after": doc["next"]} if doc["next"] else {}))
            ids += page
            self.assertEqual(doc["has_more"], doc["next"] is not None, doc)
            if not doc["next"]:
                return ids

    def test_cursor_paging_walks_the_same_order_as_one_page(self):
        for query in ({}, {"q": "kenari"}, {"region": "21"}):
            everything, _ = self.listed(limit=10, **query)
            self.assertGreaterEqual(len(everything), 2, query)
            self.assertEqual(self.follow_cursor(**query), everything, query)
        _, doc = self.listed(limit=10)
        self.assertIsNone(doc["next"], "no cursor past the last page")

    def test_item_shape(self):
        _, doc = self.listed(q="lampu")
        item = doc["items"][0]
        self.assertEqual(item["status"], "not_yet_followed_up")
        self.assertEqual(item["category"]["code"], "JALAN.BERLUBANG")
        self.assertEqual(item["region"]["code"], "21.71")
        self.assertEqual(item["location"], {"lat": 1.1456, "lon": 104.0113})
        self.assertNotIn("reporter", item)

    def test_similar_open_reports_nearby(self):
        # valid_report's pin is at (1.1456, 104.0113); the lamp and road reports are there.
        ids, _ = self.listed(similar="lampu jalan padam di gang melati")
        self.assertEqual(ids[0], self.ids["lamp"], "the most similar first")
        _, doc = self.listed(similar="lampu jalan padam di gang melati", limit=1)
        self.assertEqual(doc["has_more"], len(ids) > 1)
        self.assertIsNone(doc["next"], "ranked, not paged: no cursor")
        ids, _ = self.listed(similar="lampu jalan padam di gang melati", lat="1.1460", lon="104.0110")
        self.assertEqual(ids[0], self.ids["lamp"])
        ids, _ = self.listed(similar="lampu jalan padam di gang melati", lat="1.30", lon="104.20")
        self.assertEqual(ids, [], "nothing within 2 km")
        ids, _ = self.listed(similar="rahasia loket kenari meminta uang tambahan")
        self.assertNotIn(self.ids["secret"], ids, "a confidential report is never offered")
        status, _, doc = self.get(similar="lampu", limit="6")
        self.assertEqual(status, 422, "at most 5 similar reports")

    def test_invalid_arguments(self):
        for query, field in (({"status": "closed_by_admin"}, "status"), ({"status": "not_yet_verified"}, "status"),
                             ({"status": "archived"}, "status"), ({"from": "2026-13-01"}, "from"),
                             ({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"), ({"offset": "-1"}, "offset"),
                             ({"region": "21;DROP"}, "region"), ({"q": "x" * 201}, "q"),
                             ({"lat": "1.2"}, "lon"), ({"lat": "91", "lon": "104"}, "lat"), ({"similar": "x" * 201}, "similar"),
                             ({"after": "x"}, "after"), ({"after": "12.-3"}, "after"),
                             ({"after": "99999999999999999999.1"}, "after"),
                             ({"after": "1764633600000000.7", "offset": "0"}, "after"),
                             ({"after": "1764633600000000.7", "similar": "lampu jalan"}, "after")):
            status, _, doc = self.get(**query)
            self.assertEqual(status, 422, query)
            self.assertEqual(doc["errors"][0]["field"], field, doc)

    def test_post_still_submits(self):
        status, _, doc = self.sys.json("PUT", "/api/v1/reports", {})
        self.assertEqual(status, 405, doc)



class Support(PublicSystemTest):
    @classmethod
    def setUpClass(cls):
        cls.start("support", gateway_env={"ADUAN_RATE_SUPPORT_BURST": "6", "ADUAN_RATE_SUPPORT_PER_MINUTE": "1"})
        cls.ids = {}
        for name, overrides in {"public": {}, "secret": {"confidential": True}}.items():
            status, _, doc = cls.sys.json("POST", "/api/v1/reports", valid_report(**overrides))
            assert status == 201, doc
            cls.ids[name] = doc["tracking_id"]
            verify(cls.sys, cls.nas, doc["tracking_id"])

    def support(self, tid, supporter):
        return self.sys.json("POST", f"/api/v1/reports/{tid}/support", {"supporter": supporter})

    def test_once_per_supporter_counted_in_list_and_statistics_and_rate_limited(self):
        tid = self.ids["public"]
        status, headers, doc = self.support(tid, "a" * 32)
        self.assertEqual((status, doc), (200, {"supports": 1, "counted": True}))
        status, _, doc = self.support(tid, "a" * 32)
        self.assertEqual((status, doc), (200, {"supports": 1, "counted": False}), "the same person again")
        status, _, doc = self.support(tid, "b" * 32)
        self.assertEqual((status, doc), (200, {"supports": 2, "counted": True}))
        status, _, doc = self.sys.json("GET", f"/api/v1/reports/{tid.lower()}/support")
        self.assertEqual((status, doc), (200, {"supports": 2, "counted": False}))
        status, _, doc = self.sys.json("GET", "/api/v1/reports")
        self.assertEqual([i["supports"] for i in doc["items"] if i["tracking_id"] == tid], [2])
        self.assertEqual(self.sys.db.scalar("SELECT count(*) FROM report_supports WHERE supporter_hash LIKE '%aaaaaaaaaaaaaaaa%'"), "0",
                         "only hashes of supporter ids are stored")

        def supports():
            status, _, doc = self.sys.json("GET", "/api/v1/stats/summary?region=21.71", headers=self.nas)
            return status == 200 and doc["groups"][0]["supports"] == 2
        self.sys.wait_for(supports, 20, "the statistics count 2 supports")
        # A burst of 6 per address: three were taken above; the seventh is refused.
        answers = [self.support(tid, f"{n:032d}")[0] for n in range(4)]
        self.assertEqual(answers, [200, 200, 200, 429])

    def test_confidential_or_unknown_cannot_be_supported(self):
        for tid in (self.ids["secret"], "ZZZZ-ZZZZ-ZZZZ", "nonsense"):
            status, _, doc = self.sys.json("GET", f"/api/v1/reports/{tid}/support")
            self.assertEqual(status, 404, doc)
        status, _, doc = self.sys.json("POST", "/api/v1/reports/nonsense/support", {"supporter": "c" * 32})
        self.assertEqual(status, 404, doc)

    def test_invalid_supporter(self):
        for body in ({}, {"supporter": "short"}, {"supporter": "with space " * 3}, {"supporter": 5}):
            status, _, doc = self.sys.json("POST", f"/api/v1/reports/{self.ids['public']}/support", body)
            self.assertEqual(status, 422, body)
            self.assertEqual(doc["errors"][0]["field"], "supporter")


class Unverified(PublicSystemTest):
    """On a system of its own: the reports it adds would change the counts the list tests expect."""
    @classmethod
    def setUpClass(cls):
        cls.start("unverified")

    def test_unverified_neither_listed_nor_supportable_until_verified(self):
        words = "Genangan air zamrud selokan tersumbat"
        body = "Selokan zamrud tersumbat sampah sehingga genangan air naik ke jalan."
        waiting = self.submit(title=words, body=body)
        postponed = self.submit(title=words + " lagi", body=body)
        status, doc = self.sys.act(postponed, self.nas, "postpone", reason_code="unclear_location",
                                   note="Di mana tepatnya?")
        self.assertEqual((status, doc.get("public_status")), (200, "not_yet_verified"), doc)
        queries = ({}, {"q": words}, {"q": "zamrud"}, {"similar": words + " " + body}, {"region": "21.71"},
                   {"category": "JALAN"}, {"status": "not_yet_followed_up"}, {"status": "in_process"},
                   {"status": "completed"}, {"lat": "1.1456", "lon": "104.0113", "similar": body})
        for query in queries:
            ids, doc = self.listed(**query)
            for tid in (waiting, postponed):
                self.assertNotIn(tid, ids, query)
            self.assertNotIn("zamrud", json.dumps(doc).lower(), query)
        for tid in (waiting, postponed):
            status, _, doc = self.sys.json("GET", f"/api/v1/reports/{tid}/support")
            self.assertEqual(status, 404, doc)
            status, _, doc = self.sys.json("POST", f"/api/v1/reports/{tid}/support", {"supporter": "d" * 32})
            self.assertEqual(status, 404, doc)
            status, _, doc = self.sys.json("GET", f"/api/v1/reports/{tid}")
            self.assertEqual(status, 200, "its own tracking page stays")
        self.assertEqual(self.sys.db.scalar(
            "SELECT count(*) FROM report_supports u JOIN reports r ON r.id = u.report_id "
            f"WHERE r.tracking_id IN ('{waiting}', '{postponed}')"), "0")
        verify(self.sys, self.nas, waiting)
        ids, _ = self.listed(q="zamrud")
        self.assertEqual(ids, [waiting], "listed once verified; the postponed one still not")
        ids, _ = self.listed(similar=words + " " + body)
        self.assertEqual(ids, [waiting])
        status, _, doc = self.sys.json("GET", f"/api/v1/reports/{waiting}/support")
        self.assertEqual((status, doc), (200, {"supports": 0, "counted": False}))

    def test_support_while_the_status_moves(self):
        """A support waiting for the row lock of a status change (routing, a follow-up) is counted
        once the change commits: it used to be refused with 404 (the lock was taken through a join
        re-checked against the old status)."""
        tid = self.submit(title="Trotoar retak di taman", body="Trotoar di taman kota retak dan berbahaya.")
        verify(self.sys, self.nas, tid)
        self.sys.wait_for(lambda: self.sys.db.scalar(
            f"SELECT status FROM reports WHERE tracking_id = '{tid}'") == "dispatched", 20, "routed")
        holder = subprocess.Popen(["psql", self.sys.db.url, "-v", "ON_ERROR_STOP=1", "-qAtc",
                                   f"BEGIN; UPDATE reports SET status = 'in_process' WHERE tracking_id = '{tid}'; "
                                   "SELECT pg_sleep(1); COMMIT;"], stdout=subprocess.DEVNULL)
        try:
            self.sys.wait_for(lambda: self.sys.db.scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event = 'PgSleep'") == "1", 10, "the lock held")
            status, _, doc = self.sys.json("POST", f"/api/v1/reports/{tid}/support", {"supporter": "e" * 32})
        finally:
            self.assertEqual(holder.wait(timeout=30), 0)
        self.assertEqual((status, doc), (200, {"supports": 1, "counted": True}))

    def submit(self, **overrides):
        status, _, doc = self.sys.json("POST", "/api/v1/reports", valid_report(**overrides))
        self.assertEqual(status, 201, doc)
        return doc["tracking_id"]


if __name__ == "__main__":
    unittest.main()
