"""End to end: the staff lists page by their `next` cursor (GET /api/v1/staff/reports and /desk,
docs/api.md): following `next` from the first page gives every report once, in the order of the
list's `sort`, as one long page does, ties on the time included; the last page has none; a cursor
that is malformed, edited, or from another view, sort or filters is refused (422), and so is
`after` with `offset`."""
import unittest
import urllib.parse

from aduan_harness import System, SystemTestCase, valid_report

# Copies of the submitted report, waiting for verification (the desk holds them too): in pairs
# with the same submission and change times (ties broken by the report's number), one in three
# with a running clock (the "due" order; the rest have none and come last), one in four of
# another category.
COPIES = """
INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, anonymous, confidential,
                     channel, status, reporter_token_hash, submitted_at, updated_at, institution_code,
                     target_institution, next_due_at)
SELECT 'ZZZZ-' || substr(lpad(upper(to_hex(n)), 8, '0'), 1, 4) || '-' || substr(lpad(upper(to_hex(n)), 8, '0'), 5, 4),
       t.classification, t.title, t.body,
       CASE WHEN n % 4 = 0 THEN (SELECT min(code) FROM categories WHERE code <> t.category_code) ELSE t.category_code END,
       t.region_code, t.anonymous, t.confidential, t.channel, 'waiting_verification', t.reporter_token_hash,
       now() - (n / 2) * interval '1 hour', now() - ((n * 7) % 11 / 2) * interval '1 minute',
       t.institution_code, t.target_institution,
       CASE WHEN n % 3 = 0 THEN now() + (n % 5) * interval '1 day' END
FROM generate_series(1, 40) n, (SELECT * FROM reports ORDER BY id LIMIT 1) t
"""

SORTS = ("due", "newest", "oldest", "updated")


class StaffListCursorTest(SystemTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("listcursor", lifecycle=True).start()
        cls.sys.create_staff("nas", "national_admin", "NASIONAL")
        cls.auth = cls.sys.login("nas")
        status, _, doc = cls.sys.json("POST", "/api/v1/reports", valid_report())
        assert status == 201, doc
        cls.sys.db.scalar(COPIES)
        cls.category = cls.sys.db.scalar("SELECT category_code FROM reports ORDER BY id LIMIT 1")

    def get(self, path):
        return self.sys.json("GET", path, headers=self.auth)

    def listed(self, path):
        status, _, doc = self.get(path)
        self.assertEqual(status, 200, doc)
        return doc

    def walk(self, base):
        """Every page of `base` by its cursors: the tracking ids in order, and the pages read."""
        ids, pages, after = [], 0, None
        while True:
            doc = self.listed(base + ("&after=" + urllib.parse.quote(after) if after else ""))
            ids += [item["tracking_id"] for item in doc["items"]]
            pages += 1
            after = doc["next"]
            if not after:
                return ids, pages
            self.assertLess(pages, 50, "the cursor goes round")

    def test_following_next_lists_every_report_once_in_order(self):
        self.sys.wait_for(lambda: self.listed("/api/v1/desk?limit=200")["total"] == 41, what="41 reports listed")
        for view in ("staff/reports", "desk"):
            for sort in SORTS:
                for filters in ("", "&category=" + self.category):
                    with self.subTest(view=view, sort=sort, filters=filters):
                        base = f"/api/v1/{view}?sort={sort}{filters}"
                        whole = [item["tracking_id"] for item in self.listed(base + "&limit=200")["items"]]
                        ids, pages = self.walk(base + "&limit=7")
                        self.assertEqual(ids, whole)
                        self.assertEqual(pages, (len(whole) + 6) // 7)
                        self.assertGreater(len(whole), 20)

    def test_the_last_page_has_no_next(self):
        doc = self.listed("/api/v1/staff/reports?limit=200")
        self.assertIsNone(doc["next"])
        self.assertIsNotNone(self.listed("/api/v1/staff/reports?limit=40")["next"], "one report follows")

    def refused(self, path, field=None):
        status, _, doc = self.get(path)
        self.assertEqual(status, 422, doc)
        if field:
            self.assertIn(field, [e["field"] for e in doc.get("errors", [])], doc)
        return doc

    def test_foreign_or_edited_cursors_are_refused(self):
        cursor = self.listed("/api/v1/staff/reports?sort=newest&limit=5")["next"]
        quoted = urllib.parse.quote(cursor)
        self.listed(f"/api/v1/staff/reports?sort=newest&limit=5&after={quoted}")
        self.listed(f"/api/v1/staff/reports?sort=newest&limit=9&after={quoted}")  # another page size is fine
        position, check = cursor.rsplit(".", 1)
        digit = "1" if position[-1] != "1" else "2"
        edited = position[:-1] + digit + "." + check
        for name, path in (
                ("edited position", f"/api/v1/staff/reports?sort=newest&after={urllib.parse.quote(edited)}"),
                ("edited check", f"/api/v1/staff/reports?sort=newest&after={position}.{'0' * len(check)}"),
                ("malformed", "/api/v1/staff/reports?sort=newest&after=1.2"),
                ("another sort", f"/api/v1/staff/reports?sort=oldest&after={quoted}"),
                ("the default sort", f"/api/v1/staff/reports?after={quoted}"),
                ("another filter", f"/api/v1/staff/reports?sort=newest&category={self.category}&after={quoted}"),
                ("another view", f"/api/v1/desk?sort=newest&after={quoted}")):
            with self.subTest(name):
                doc = self.refused(path)
                self.assertIn("after", doc.get("detail", ""), doc)
        for name, path in (("not a cursor's characters", "/api/v1/staff/reports?after=x'y"),
                           ("with offset", f"/api/v1/staff/reports?sort=newest&offset=5&after={quoted}"),
                           ("too long", "/api/v1/staff/reports?after=" + "1" * 81)):
            with self.subTest(name):
                self.refused(path, "after")


if __name__ == "__main__":
    unittest.main()
