"""The public list and map (/laporan) in a real browser against the real services: filters and
full-text search, the pins on a map whose tiles cannot be had, a confidential report never shown
(the reports are verified first: an unverified one is not published, see tests/e2e/test_public_list.py),
the English switch, a 360 px phone screen and axe-core (no serious or critical violation). The
browser, the system and the helpers are those of test_pages.py."""
import re
import unittest
import urllib.parse

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from aduan_harness import valid_report
from test_pages import PagesTest, catalogue


class PublicPagesTest(PagesTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ids = {}
        for name, overrides in {
            "road": dict(title="Jalan berlubang kenari", body="Lubang besar di jalan Kenari membahayakan motor."),
            "lamp": dict(title="Lampu jalan padam", body="Lampu jalan mati sejak minggu lalu di gang Melati.",
                         category="JALAN.PJU", location={"address": "Gang Melati", "lat": 1.13, "lon": 104.05}),
            "secret": dict(title="Rahasia loket kenari", body="Petugas loket kenari meminta uang tambahan.",
                           confidential=True),
        }.items():
            status, _, doc = cls.sys.json("POST", "/api/v1/reports", valid_report(**overrides))
            assert status == 201, doc
            cls.ids[name] = doc["tracking_id"]
            status, doc = cls.sys.act(doc["tracking_id"], cls.auth["nas"], "verify")
            assert status == 200, doc

    def listed(self):
        return [li.get_attribute("data-tracking-id") for li in self.browser.find_elements(By.CSS_SELECTOR, "#results li")]

    def search(self):
        before = self.browser.execute_script("return document.getElementById('results').innerHTML")
        self.by_id("filter-form").find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        self.wait(lambda: self.browser.execute_script("return document.getElementById('results').innerHTML")
                  != before, "the list changed")

    def test_list_filters_and_map_without_tiles(self):
        self.open("/laporan")
        self.assertEqual(set(self.listed()), {self.ids["road"], self.ids["lamp"]})
        self.assertNotIn("Rahasia", self.by_id("results").text)
        self.wait(lambda: self.by_id("map-state").text == catalogue("id")["list.tiles_unavailable"], "no tiles said")
        self.assertEqual(self.by_id("map").get_attribute("data-pins"), "2", "both pins on the map without tiles")
        self.assertEqual(len(self.browser.find_elements(By.CSS_SELECTOR, "#map path.leaflet-interactive")), 2)
        self.assert_accessible("the public list")
        self.by_id("q").send_keys("kenari")
        self.search()
        self.assertEqual(self.listed(), [self.ids["road"]])
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.browser.current_url).query)
        self.assertEqual(query, {"q": ["kenari"]}, "the search is kept in the URL")
        self.by_id("q").clear()
        Select(self.by_id("category")).select_by_value("JALAN.PJU")
        self.search()
        self.assertEqual(self.listed(), [self.ids["lamp"]])
        Select(self.by_id("category")).select_by_value("")
        buckets = [o.get_attribute("value") for o in Select(self.by_id("status")).options]
        self.assertNotIn("not_yet_verified", buckets, "nothing unverified is listed, so no such filter")
        Select(self.by_id("status")).select_by_value("completed")
        self.search()
        self.assertEqual(self.listed(), [])
        self.assertEqual(self.by_id("result-count").text, catalogue("id")["list.none"])
        # A shared link opens the same search, and its result leads to the report's page.
        self.open("/laporan?region=21.71&q=lampu")
        self.assertEqual(self.by_id("region").get_attribute("value"), "Kota Batam, Kepulauan Riau")
        self.assertEqual(self.listed(), [self.ids["lamp"]])
        self.browser.find_element(By.CSS_SELECTOR, "#results a").click()
        self.wait(lambda: self.browser.current_url.endswith("/lapor/" + self.ids["lamp"]), "the report's page")

    def support_on_page(self, tracking_id):
        self.open(f"/lapor/{tracking_id}")
        self.wait(lambda: not self.by_id("support-part").get_attribute("hidden"), "the support part")
        return self.by_id("support-button")

    def test_support_once_per_person(self):
        tid, id_text = self.ids["road"], catalogue("id")
        button = self.support_on_page(tid)
        self.assertEqual(self.by_id("support-count").text, id_text["support.count"].format(count=0))
        self.assert_accessible("a report with its support part")
        button.click()
        self.wait(lambda: self.by_id("support-state").text == id_text["support.thanks"], "thanked")
        self.assertEqual(self.by_id("support-count").text, id_text["support.count"].format(count=1))
        self.assertFalse(self.support_on_page(tid).is_enabled(), "supported once: the button is off")
        # The same person whose page forgot it had supported is still counted once.
        supporter = self.browser.execute_script("return localStorage.getItem('aduan.supporter')")
        self.browser.execute_script(f"localStorage.removeItem('aduan.supported.{tid}')")
        self.support_on_page(tid).click()
        self.wait(lambda: self.by_id("support-state").text == id_text["support.already"], "already counted")
        self.assertEqual(self.by_id("support-count").text, id_text["support.count"].format(count=1))
        self.assertEqual(self.browser.execute_script("return localStorage.getItem('aduan.supporter')"), supporter)
        # Another person (another browser's storage) counts.
        self.browser.execute_script("localStorage.clear()")
        self.support_on_page(tid).click()
        self.wait(lambda: self.by_id("support-count").text == id_text["support.count"].format(count=2), "two")
        self.open("/laporan?q=kenari")
        self.assertIn(id_text["support.count"].format(count=2), self.by_id("results").text)
        # A confidential report offers no support.
        self.open(f"/lapor/{self.ids['secret']}")
        self.assertTrue(self.by_id("support-part").get_attribute("hidden"))

    def follower_mails(self, address, tracking_id, count):
        def mails():
            found = [m for m in self.sys.mail.messages() if address in m["rcpt_tos"] and tracking_id in m["subject"]]
            return found if len(found) >= count else None
        return self.wait(mails, f"{count} mails to {address}")

    def link_in(self, entry, fragment):
        text = self.sys.mail.message(entry).get_body(("plain",)).get_content()
        return re.search(re.escape(self.base) + r"(/ikuti#" + fragment + r"=[A-Za-z0-9_-]+)", text).group(1)

    def test_follow_confirm_and_unsubscribe_in_the_page(self):
        tid, id_text = self.ids["lamp"], catalogue("id")
        self.open(f"/lapor/{tid}")
        self.wait(lambda: not self.by_id("follow-part").get_attribute("hidden"), "the follow part")
        self.assert_accessible("a report with its follow part")
        self.by_id("follow-email").send_keys("bukan-alamat")
        self.by_id("follow-form").find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        self.wait(lambda: self.by_id("follow-email-error").text == id_text["error.invalid"], "the field's error")
        self.by_id("follow-email").clear()
        self.by_id("follow-email").send_keys("pengikut@example.org")
        self.by_id("follow-form").find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        self.wait(lambda: self.by_id("follow-state").text == id_text["follow.check_mail"], "told to read the mail")
        [confirmation] = self.follower_mails("pengikut@example.org", tid, 1)
        self.open(self.link_in(confirmation, "konfirmasi"))
        self.wait(lambda: self.by_id("follow-outcome").text == id_text["follow.confirmed"], "confirmed")
        self.assert_accessible("/ikuti confirming")
        self.act_ok(tid, "pupr", "follow_up", note="Lampu diganti besok.")
        step = self.follower_mails("pengikut@example.org", tid, 2)[1]
        self.open(self.link_in(step, "berhenti"))
        self.assertEqual(self.by_id("follow-outcome").text, "", "opening the link alone ends nothing")
        self.assert_accessible("/ikuti asking to unsubscribe")
        self.by_id("unfollow-button").click()
        self.wait(lambda: self.by_id("follow-outcome").text == id_text["follow.unsubscribed"], "unsubscribed")
        self.assertEqual(self.sys.db.scalar("SELECT count(*) FROM report_followers"), "0")
        # A confidential report offers no follow.
        self.open(f"/lapor/{self.ids['secret']}")
        self.assertTrue(self.by_id("follow-part").get_attribute("hidden"))

    def list_follow(self, tracking_id):
        """The "Ikuti" part of a report of the list: its toggle, its form, its state line."""
        part = self.browser.find_element(By.CSS_SELECTOR, f'#results li[data-tracking-id="{tracking_id}"] .list-follow-part')
        return (part.find_element(By.CSS_SELECTOR, ".list-follow-toggle"), part.find_element(By.TAG_NAME, "form"),
                part.find_element(By.CSS_SELECTOR, "[role=status]"))

    def focused(self):
        return self.browser.switch_to.active_element

    def test_follow_from_the_list_by_keyboard(self):
        tid, id_text = self.ids["road"], catalogue("id")
        self.open("/laporan")
        toggle, form, state = self.list_follow(tid)
        self.assertEqual(toggle.text, id_text["follow.button"])
        self.assertTrue(toggle.get_attribute("aria-label").startswith(id_text["follow.button"]))
        self.assertFalse(form.is_displayed())
        self.browser.execute_script("arguments[0].focus()", toggle)
        self.focused().send_keys(Keys.ENTER)
        self.wait(lambda: form.is_displayed(), "the form opened by Enter")
        self.assertEqual(toggle.get_attribute("aria-expanded"), "true")
        self.assertEqual(self.focused().get_attribute("name"), "email", "the focus is in the address")
        self.assert_accessible("/laporan with a follow form open")
        self.focused().send_keys("bukan-alamat", Keys.ENTER)
        self.wait(lambda: form.find_element(By.CSS_SELECTOR, ".field-error").text == id_text["error.invalid"],
                  "the field's error beside it")
        field = form.find_element(By.NAME, "email")
        field.clear()
        field.send_keys("dari.daftar@example.org", Keys.ENTER)
        self.wait(lambda: state.text == id_text["follow.check_mail"], "told to read the mail")
        self.assertEqual(self.sys.db.scalar("SELECT count(*) FROM report_followers WHERE confirmed_at IS NULL"), "1",
                         "pending until the mail's link is opened")
        [confirmation] = self.follower_mails("dari.daftar@example.org", tid, 1)
        self.open(self.link_in(confirmation, "konfirmasi"))
        self.wait(lambda: self.by_id("follow-outcome").text == id_text["follow.confirmed"], "confirmed")
        # Escape closes a form and gives the focus back to its button; on a phone nothing scrolls sideways.
        self.browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                     {"width": 360, "height": 740, "deviceScaleFactor": 2, "mobile": True})
        self.open("/laporan?lang=en")
        toggle, form, _ = self.list_follow(self.ids["lamp"])
        self.assertEqual(toggle.text, catalogue("en")["follow.button"])
        toggle.send_keys(Keys.SPACE)
        self.wait(lambda: form.is_displayed(), "the form opened by Space")
        width = self.browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        self.assertLessEqual(width[0], width[1], "/laporan with a follow form scrolls sideways on 360 px")
        self.assert_accessible("/laporan on 360 px in English with a follow form open")
        self.focused().send_keys(Keys.ESCAPE)
        self.wait(lambda: not form.is_displayed(), "closed by Escape")
        self.assertEqual(self.focused().get_attribute("aria-controls"), form.get_attribute("id"))

    def test_submit_form_offers_a_similar_report(self):
        self.open("/kirim")
        self.by_id("title").send_keys("Lampu jalan padam")
        self.by_id("body").send_keys("Lampu jalan mati di gang Melati sejak minggu lalu.")
        self.by_id("title").click()  # leaving the text: its change is seen
        self.wait(lambda: not self.by_id("similar-part").get_attribute("hidden"), "similar reports offered")
        offered = [li.get_attribute("data-tracking-id")
                   for li in self.browser.find_elements(By.CSS_SELECTOR, "#similar li")]
        self.assertEqual(offered[0], self.ids["lamp"])
        self.assertNotIn(self.ids["secret"], offered)
        self.assert_accessible("the form offering a similar report")
        self.browser.find_element(By.CSS_SELECTOR, "#similar a").click()
        self.wait(lambda: self.browser.current_url.endswith("/lapor/" + self.ids["lamp"]), "its page, to support it")

    def test_english_and_phone_screen(self):
        self.open("/laporan?lang=en")
        self.assertEqual(self.browser.find_element(By.TAG_NAME, "h1").text, catalogue("en")["list.heading"])
        self.assertIn(catalogue("en")["bucket.not_yet_followed_up"], self.by_id("results").text)
        self.assert_accessible("the public list in English")
        self.browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                     {"width": 360, "height": 740, "deviceScaleFactor": 2, "mobile": True})
        self.open("/laporan?lang=id")
        width = self.browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        self.assertLessEqual(width[0], width[1], "/laporan scrolls sideways on 360 px")
        self.assert_accessible("/laporan on 360 px")

    def test_pages_follow_the_cursor_and_come_back(self):
        """Last: it publishes 21 more reports, all holding a word of their own ("cemara")."""
        for n in range(21):
            status, _, doc = self.sys.json("POST", "/api/v1/reports",
                                           valid_report(title=f"Pohon cemara tumbang {n}", body="Pohon cemara roboh."))
            assert status == 201, doc
            status, doc = self.sys.act(doc["tracking_id"], self.auth["nas"], "verify")
            assert status == 200, doc
        id_text = catalogue("id")
        self.open("/laporan?q=cemara")
        first = self.listed()
        self.assertEqual(len(first), 20)
        self.assertEqual(self.by_id("result-count").text, id_text["list.showing"].format(first=1, last=20))
        self.assertTrue(self.by_id("previous").get_attribute("hidden") is not None)
        self.by_id("next").click()
        self.wait(lambda: self.listed() != first and self.listed(), "the second page")
        second = self.listed()
        self.assertEqual(len(second), 1)
        self.assertFalse(set(first) & set(second))
        self.assertEqual(self.by_id("result-count").text, id_text["list.showing"].format(first=21, last=21))
        self.assertTrue(self.by_id("next").get_attribute("hidden") is not None, "no page after the last")
        self.assertNotIn("after=", self.browser.current_url, "the URL keeps the filters only")
        self.by_id("previous").click()
        self.wait(lambda: self.listed() == first, "the first page again")
        self.assertTrue(self.by_id("previous").get_attribute("hidden") is not None)


def load_tests(loader, tests, pattern):
    """Only this file's tests: those of test_pages.py run in their own suite."""
    names = [name for name in PublicPagesTest.__dict__ if name.startswith("test")]
    return unittest.TestSuite(PublicPagesTest(name) for name in names)


if __name__ == "__main__":
    unittest.main()
