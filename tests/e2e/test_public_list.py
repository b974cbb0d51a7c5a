"""End to end (issue 16, point 4): GET /api/v1/reports, the public list. Filters, full-text search
and paging answer from intake's report.list; a confidential report is never listed (neither its
content nor its tracking id), and no item carries anything of the reporter. And "dukung"
(/reports/{id}/support): once per supporter id, rate-limited per address, the count in the list
and in the statistics (report.supported), never for a confidential report."""
import json
import unittest
import urllib.parse

from aduan_harness import System, SystemTestCase, valid_report

REPORTER = {"name": "Wibisono Hartanto", "email": "wibi.hartanto@example.org", "phone": "+62 813-5550-9876"}


class PublicList(SystemTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("public-list").start()
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

    def get(self, **query):
        return self.sys.json("GET", "/api/v1/reports?" + urllib.parse.urlencode(query))

    def listed(self, **query):
        status, headers, doc = self.get(**query)
        self.assertEqual(status, 200, doc)
        return [item["tracking_id"] for item in doc["items"]], doc

    def test_confidential_never_listed_and_no_reporter(self):
        for query in ({}, {"q": "kenari"}, {"q": "rahasia"}, {"region": "21"}, {"status": "not_yet_verified"}):
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

    def test_item_shape(self):
        _, doc = self.listed(q="lampu")
        item = doc["items"][0]
        self.assertEqual(item["status"], "not_yet_verified")
        self.assertEqual(item["category"]["code"], "JALAN.BERLUBANG")
        self.assertEqual(item["region"]["code"], "21.71")
        self.assertEqual(item["location"], {"lat": 1.1456, "lon": 104.0113})
        self.assertNotIn("reporter", item)

    def test_similar_open_reports_nearby(self):
        # valid_report's pin is at (1.1456, 104.0113); the lamp and road reports are there.
        ids, _ = self.listed(similar="lampu jalan padam di gang melati")
        self.assertEqual(ids[0], self.ids["lamp"], "the most similar first")
        ids, _ = self.listed(similar="lampu jalan padam di gang melati", lat="1.1460", lon="104.0110")
        self.assertEqual(ids[0], self.ids["lamp"])
        ids, _ = self.listed(similar="lampu jalan padam di gang melati", lat="1.30", lon="104.20")
        self.assertEqual(ids, [], "nothing within 2 km")
        ids, _ = self.listed(similar="rahasia loket kenari meminta uang tambahan")
        self.assertNotIn(self.ids["secret"], ids, "a confidential report is never offered")
        status, _, doc = self.get(similar="lampu", limit="6")
        self.assertEqual(status, 422, "at most 5 similar reports")

    def test_invalid_arguments(self):
        for query, field in (({"status": "closed_by_admin"}, "status"), ({"from": "2026-13-01"}, "from"),
                             ({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"), ({"offset": "-1"}, "offset"),
                             ({"region": "21;DROP"}, "region"), ({"q": "x" * 201}, "q"),
                             ({"lat": "1.2"}, "lon"), ({"lat": "91", "lon": "104"}, "lat"), ({"similar": "x" * 201}, "similar")):
            status, _, doc = self.get(**query)
            self.assertEqual(status, 422, query)
            self.assertEqual(doc["errors"][0]["field"], field, doc)

    def test_post_still_submits(self):
        status, _, doc = self.sys.json("PUT", "/api/v1/reports", {})
        self.assertEqual(status, 405, doc)



class Support(SystemTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("support", with_stats=True,
                         gateway_env={"ADUAN_RATE_SUPPORT_BURST": "6", "ADUAN_RATE_SUPPORT_PER_MINUTE": "1"}).start()
        cls.sys.create_staff("nas", "national_admin", "NASIONAL")
        cls.nas = cls.sys.login("nas")
        cls.ids = {}
        for name, overrides in {"public": {}, "secret": {"confidential": True}}.items():
            status, _, doc = cls.sys.json("POST", "/api/v1/reports", valid_report(**overrides))
            assert status == 201, doc
            cls.ids[name] = doc["tracking_id"]

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


if __name__ == "__main__":
    unittest.main()
