"""The desk's pages in a real browser (headless chromium): 230 reports wait for verification, the
desk shows 100 a page; "next page" and "previous page" follow the API's `next` cursor by keyboard
alone (the focus stays on a button that can still be pressed), the page number is told, new
filters start again at page 1, and axe-core finds nothing serious on a later page."""
import unittest

from selenium.webdriver.common.keys import Keys

from aduan_harness import System, valid_report
import axe_core
import test_pages

PASSWORD = "rahasia-sekali-123"

# Written past intake and verify, so each copy's text goes where the staff search reads it too, as
# verify would have put it (migration 0049).
COPIES = """
WITH copies AS (
INSERT INTO reports (tracking_id, classification, title, body, category_code, region_code, anonymous, confidential,
                     channel, status, reporter_token_hash, submitted_at, updated_at, institution_code,
                     target_institution)
SELECT 'ZZZZ-' || substr(lpad(upper(to_hex(n)), 8, '0'), 1, 4) || '-' || substr(lpad(upper(to_hex(n)), 8, '0'), 5, 4),
       t.classification, t.title, t.body, t.category_code, t.region_code, t.anonymous, t.confidential, t.channel,
       'waiting_verification', t.reporter_token_hash, now() - n * interval '1 minute', now(), t.institution_code,
       t.target_institution
FROM generate_series(1, 229) n, (SELECT * FROM reports ORDER BY id LIMIT 1) t
RETURNING id, title, body)
INSERT INTO report_search (report_id, words) SELECT id, title || ' ' || body FROM copies
"""


class DeskPagesTest(test_pages.BrowserTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("deskpages", lifecycle=True)
        cls.base = f"http://127.0.0.1:{cls.sys.http_port}"
        cls.sys.start()
        cls.sys.create_staff("nas", "national_admin", "NASIONAL", password=PASSWORD)
        status, _, doc = cls.sys.json("POST", "/api/v1/reports", valid_report())
        assert status == 201, doc
        cls.sys.db.scalar(COPIES)
        cls.axe = axe_core.axe_source()
        cls.browser = test_pages.chromium(1280)


    def desk_ids(self):
        return self.browser.execute_script(
            "return [...document.querySelectorAll('#rows td.code a')].map((a) => a.textContent)")

    def focused(self):
        return self.browser.execute_script("return document.activeElement.id")

    def press(self, button, page, rows):
        self.by_id(button).send_keys(Keys.ENTER)
        self.wait(lambda: self.by_id("page-number").text == f"Halaman {page}" and len(self.desk_ids()) == rows,
                  f"page {page}")

    def test_next_and_previous_by_keyboard(self):
        self.open("/konsol")
        self.by_id("username").send_keys("nas")
        self.by_id("password").send_keys(PASSWORD + Keys.ENTER)
        self.wait(lambda: self.browser.execute_script("return location.pathname") == "/konsol/meja", "the desk")
        self.wait_ready()
        self.wait(lambda: len(self.desk_ids()) == 100, "the first page")
        self.assertEqual(self.by_id("page-number").text, "Halaman 1")
        self.assertFalse(self.by_id("page-prev").is_enabled())
        first = self.desk_ids()
        self.press("page-next", 2, 100)
        second = self.desk_ids()
        self.assertFalse(set(first) & set(second), "no report on two pages")
        self.assertEqual(self.focused(), "page-next")
        self.press("page-next", 3, 30)
        self.assertFalse(self.by_id("page-next").is_enabled(), "the last page")
        self.assertEqual(self.focused(), "page-prev", "the focus moved to the button that still works")
        self.assertEqual(len(set(first) | set(second) | set(self.desk_ids())), 230)
        self.assert_accessible("the desk's third page")
        self.press("page-prev", 2, 100)
        self.assertEqual(self.desk_ids(), second)
        self.by_id("f-q").send_keys("berlubang" + Keys.ENTER)
        self.wait(lambda: "q=berlubang" in self.browser.current_url, "the search applied")
        self.wait(lambda: self.by_id("page-number").text == "Halaman 1" and len(self.desk_ids()) == 100,
                  "new filters start at page 1")
        self.assertEqual(self.desk_ids(), first, "every report has the word: the same first page")
        self.assertFalse(self.by_id("page-prev").is_enabled())

if __name__ == "__main__":
    unittest.main()
