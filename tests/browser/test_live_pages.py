"""Live updates in a real browser (headless Debian chromium through chromedriver) against the real
services: the desk shows a report submitted in another session without a reload, and the inbox
and the public dashboard are connected to their streams."""
import unittest

from selenium.webdriver.common.keys import Keys

from aduan_harness import System
import test_console
import test_pages

PASSWORD = "rahasia-sekali-123"


class LivePagesTest(test_pages.BrowserTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("livepages", lifecycle=True).start()
        cls.sys.create_staff("prov", "institution_admin", "PROV-21", password=PASSWORD)
        cls.browser = test_pages.chromium(1280)
        cls.base = f"http://127.0.0.1:{cls.sys.http_port}"

    submit = test_console.ConsoleTest.submit

    def script(self, text):
        return self.browser.execute_script(text)

    def live(self):
        return self.script("return document.documentElement.dataset.live") == "on"

    def sign_in(self):
        self.open("/konsol")
        self.by_id("username").send_keys("prov")
        self.by_id("password").send_keys(PASSWORD + Keys.ENTER)
        self.wait(lambda: self.script("return location.pathname") == "/konsol/meja", "the desk after signing in")
        self.wait_ready()

    def test_the_desk_updates_live_when_a_report_is_submitted_in_another_session(self):
        self.sign_in()
        self.wait(self.live, "the desk's live stream")
        self.script("window.notReloaded = true")
        tracking_id = self.submit(target_institution="KOTA-21.71", title="Lampu jalan padam sejak Senin")
        self.wait(lambda: tracking_id in self.script(
            "return [...document.querySelectorAll('#rows td.code a')].map((a) => a.textContent)"),
            "the new report on the desk")
        self.assertTrue(self.script("return window.notReloaded === true"), "the desk was reloaded")
        # the inbox page follows the stream too
        self.open("/konsol/kotak-masuk")
        self.wait_ready()
        self.wait(self.live, "the inbox's live stream")

    def test_the_dashboard_follows_the_public_stream(self):
        self.open("/dasbor")
        self.wait_ready()
        self.wait(self.live, "the dashboard's live stream")


if __name__ == "__main__":
    unittest.main()
