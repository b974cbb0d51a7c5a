"""End to end: the staff lists' counts stop at their cap (GET /api/v1/staff/reports and /desk):
a bucket holding more than `count_cap` reports counts as `count_cap` and is named in
`counts_capped`, `total` likewise with `total_capped`; under the cap every count is exact."""
import unittest

from aduan_harness import System, SystemTestCase, valid_report

CAP = 1000

# Copies of the submitted report with their own tracking ids ("ZZZZ-" then the row number in hex:
# valid tracking-id characters) and the status asked.
COPIES = """
INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, anonymous, confidential,
                     channel, status, reporter_token_hash, submitted_at, updated_at, institution_code,
                     target_institution)
SELECT 'ZZZZ-' || substr(lpad(upper(to_hex(n + {first})), 8, '0'), 1, 4) || '-'
         || substr(lpad(upper(to_hex(n + {first})), 8, '0'), 5, 4),
       t.classification, t.title, t.body, t.category_code, t.region_code, t.anonymous, t.confidential, t.channel,
       '{status}', t.reporter_token_hash, now() - n * interval '1 minute', now(), t.institution_code,
       t.target_institution
FROM generate_series(1, {count}) n, (SELECT * FROM reports ORDER BY id LIMIT 1) t
"""


class StaffListCountsTest(SystemTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("listcounts", lifecycle=True).start()
        cls.sys.create_staff("nas", "national_admin", "NASIONAL")
        cls.auth = cls.sys.login("nas")
        status, _, doc = cls.sys.json("POST", "/api/v1/reports", valid_report())
        assert status == 201, doc
        cls.submitted = doc["tracking_id"]
        cls.sys.db.scalar(COPIES.format(first=0, count=CAP + 50, status="verified"))
        cls.sys.db.scalar(COPIES.format(first=CAP + 50, count=7, status="closed_by_admin"))

    def listed(self, path):
        status, _, doc = self.sys.json("GET", path, headers=self.auth)
        self.assertEqual(status, 200, doc)
        return doc

    def test_a_bucket_over_the_cap_is_capped_and_named(self):
        self.sys.wait_for(lambda: self.listed("/api/v1/staff/reports?limit=1")["counts"].get("not_yet_verified"),
                          what="the submitted report listed")
        doc = self.listed("/api/v1/staff/reports?limit=5")
        self.assertEqual(doc["count_cap"], CAP)
        self.assertEqual(doc["counts"], {"not_yet_verified": 1, "not_yet_followed_up": CAP, "completed": 7})
        self.assertEqual(doc["counts_capped"], ["not_yet_followed_up"])
        self.assertEqual((doc["total"], doc["total_capped"]), (CAP, True), "the sum is over the cap")
        self.assertEqual(len(doc["items"]), 5)

    def test_counts_under_the_cap_are_exact(self):
        for query, total in (("status=completed", 7), ("status=closed_by_admin", 7),
                             ("status=not_yet_verified", 1), ("status=archived", 0)):
            with self.subTest(query=query):
                doc = self.listed("/api/v1/staff/reports?limit=5&" + query)
                self.assertEqual((doc["total"], doc["total_capped"]), (total, False))
                self.assertEqual(doc["counts_capped"], ["not_yet_followed_up"], "counts ignore the status filter")
        doc = self.listed("/api/v1/staff/reports?limit=5&status=not_yet_followed_up")
        self.assertEqual((doc["total"], doc["total_capped"]), (CAP, True))
        desk = self.listed("/api/v1/desk")
        self.assertEqual((desk["counts"], desk["counts_capped"], desk["total"], desk["total_capped"]),
                         ({"not_yet_verified": 1}, [], 1, False))
        self.assertEqual([i["tracking_id"] for i in desk["items"]], [self.submitted])


if __name__ == "__main__":
    unittest.main()
