""""My reports" (/laporan-saya) in a real browser against the real services: signing in with the
code read from the mail sink, by keyboard alone; the list of exactly that reporter's reports with
links to their pages; a lost token recovered and remembered (the old one refused, the report's
page opening with the new one); a wrong code shown beside its field; English, a 360 px phone
screen and axe-core on every state of the page. The browser, the system and the helpers are those
of test_pages.py."""
import re
import unittest

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from aduan_harness import valid_report
from test_pages import PagesTest, catalogue

CODE = re.compile(r"\b(\d{8})\b")


class MyReportsPageTest(PagesTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ids = []
        for title, email in (("Lampu taman mati", "rina@example.org"), ("Got tersumbat", "rina@example.org"),
                             ("Laporan orang lain", "other@example.org")):
            status, _, doc = cls.sys.json("POST", "/api/v1/reports",
                                          valid_report(title=title, reporter={"name": "Rina", "email": email}))
            assert status == 201, doc
            cls.ids.append((doc["tracking_id"], doc["reporter_token"]))

    def setUp(self):
        super().setUp()
        self.browser.execute_script("sessionStorage.clear()")

    def mailed_codes(self, address):
        return [CODE.search(m["subject"]).group(1) for m in self.sys.mail.messages()
                if address in m["rcpt_tos"] and "Laporan saya" in (m["subject"] or "")]

    def tab_to(self, predicate, what, presses=30):
        """Presses Tab from the focused element until `predicate(focused element)` holds."""
        for _ in range(presses):
            active = self.browser.switch_to.active_element
            if predicate(active):
                return active
            active.send_keys(Keys.TAB)
        self.fail(f"Tab never reached {what}")

    def type_and_enter(self, element_id, text):
        field = self.by_id(element_id)
        field.clear()
        field.send_keys(text)
        field.send_keys(Keys.ENTER)

    def ask_code(self, address):
        before = len(self.mailed_codes(address))
        self.type_and_enter("contact", address)
        self.wait(lambda: not self.by_id("code-part").get_attribute("hidden"), "the code part")
        self.assertEqual(self.browser.switch_to.active_element.get_attribute("id"), "code", "focus on the code")
        return self.sys.wait_for(lambda: (self.mailed_codes(address)[before:] or [None])[0], 20, "the code mail")

    def test_signing_in_to_my_reports_with_the_code_read_from_the_mail_sink(self):
        id_text = catalogue("id")
        # by keyboard alone: from the home page's link to the list and a recovered token
        self.open("/")
        self.browser.find_element(By.TAG_NAME, "body").click()
        self.tab_to(lambda el: el.get_attribute("href") == self.base + "/laporan-saya",
                    "the my-reports link").send_keys(Keys.ENTER)
        self.wait(lambda: self.browser.current_url.endswith("/laporan-saya"), "the my-reports page")
        self.wait_ready()
        self.assertEqual(self.browser.find_element(By.TAG_NAME, "h1").text, id_text["mine.heading"])
        self.assert_accessible("/laporan-saya asking for a code")
        self.browser.find_element(By.TAG_NAME, "body").click()
        self.tab_to(lambda el: el.get_attribute("id") == "contact", "the contact field")
        code = self.ask_code("rina@example.org")
        self.assert_accessible("/laporan-saya asking for the code")
        wrong = f"{(int(code) + 1) % 100000000:08d}"
        self.type_and_enter("code", wrong)
        self.wait(lambda: self.by_id("code-error").text == id_text["error.wrong_code"], "the wrong code said")
        self.assertEqual(self.by_id("code").get_attribute("aria-invalid"), "true")
        self.assert_accessible("/laporan-saya with a wrong code")
        self.type_and_enter("code", code)
        self.wait(lambda: not self.by_id("list-part").get_attribute("hidden"), "the list")
        links = [a.get_attribute("href") for a in self.browser.find_elements(By.CSS_SELECTOR, "#mine h3 a")]
        self.assertEqual(links, [f"{self.base}/lapor/{self.ids[1][0]}", f"{self.base}/lapor/{self.ids[0][0]}"],
                         "exactly her reports, newest first")
        self.assert_accessible("/laporan-saya listing the reports")

        lost_id, old_token = self.ids[0]
        label = id_text["mine.recover"].format(id=lost_id)
        self.tab_to(lambda el: el.tag_name == "button" and el.text == label, "its new-token button").send_keys(Keys.ENTER)
        said = id_text["mine.recovered"].format(id=lost_id)
        self.wait(lambda: said in self.by_id("mine").text, "the new token said")
        new_token = self.browser.execute_script(f"return localStorage.getItem('aduan.token.{lost_id}')")
        self.assertTrue(new_token and new_token != old_token)
        status, _, doc = self.sys.json("GET", f"/api/v1/reports/{lost_id}",
                                       headers={"Authorization": f"Bearer {old_token}"})
        self.assertFalse(doc["reporter_view"], "the old token no longer works")
        self.browser.find_elements(By.CSS_SELECTOR, "#mine h3 a")[1].click()
        self.wait_ready()
        self.wait(lambda: not self.by_id("reporter-part").get_attribute("hidden"), "the report opened as its reporter")

    def test_english_and_phone_screen(self):
        self.browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                     {"width": 360, "height": 740, "deviceScaleFactor": 2, "mobile": True})
        self.open("/laporan-saya?lang=en")
        self.assertEqual(self.browser.find_element(By.TAG_NAME, "h1").text, catalogue("en")["mine.heading"])
        code = self.ask_code("other@example.org")
        self.type_and_enter("code", code)
        self.wait(lambda: not self.by_id("list-part").get_attribute("hidden"), "the list")
        self.assertEqual(len(self.browser.find_elements(By.CSS_SELECTOR, "#mine li")), 1)
        width = self.browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        self.assertLessEqual(width[0], width[1], "/laporan-saya scrolls sideways on 360 px")
        self.assert_accessible("/laporan-saya in English on 360 px")
        self.by_id("sign-out").send_keys(Keys.ENTER)
        self.wait(lambda: not self.by_id("ask-part").get_attribute("hidden"), "signed out")
        self.open("/laporan-saya?lang=id")
        self.assertFalse(self.by_id("ask-part").get_attribute("hidden"), "signed out stays signed out")


def load_tests(loader, tests, pattern):
    """Only this file's tests: those of test_pages.py run in their own suite."""
    names = [name for name in MyReportsPageTest.__dict__ if name.startswith("test")]
    return unittest.TestSuite(MyReportsPageTest(name) for name in names)


if __name__ == "__main__":
    unittest.main()
