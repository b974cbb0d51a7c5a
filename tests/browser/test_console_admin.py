"""The console's administration pages in a real browser (headless Debian chromium) against the real
services: an institution admin registers a webhook pointing at a local receiver (secret shown once),
a report event makes a delivery the page's log shows, a receiver answering 500 makes it fail for
good, and "resend" on the page delivers it once the receiver is back; the report page lists the
same delivery; a national admin issues an Open311 key (shown once, with a copy button) and revokes
it after a confirmation, by keyboard, and /open311/v2/requests.json refuses it from then on; other
roles get neither the links nor the pages, told in words; axe on every new page at 1280 and 768 px."""
import unittest
import urllib.parse

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from aduan_harness import System, valid_report
from webhook_receiver import WebhookReceiver
import test_console
import axe_core
import test_pages

STAFF = {"nas": ("national_admin", "NASIONAL"), "kota": ("institution_admin", "KOTA-21.71"),
         "pupr": ("unit_liaison", "KOTA-21.71.PUPR")}
PASSWORD = test_console.PASSWORD
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}

# Records when the answer to the first request whose URL contains `part` arrives and when the element
# `notice` changes after it: the page's feedback time.
FEEDBACK_PROBE = """
const [part, notice] = arguments;
window.feedback = {};
const original = window.fetch;
window.fetch = async (...args) => {
  const answer = await original(...args);
  if (String(args[0]).includes(part) && !window.feedback.answer) window.feedback.answer = performance.now();
  return answer;
};
new MutationObserver(() => {
  if (window.feedback.answer && !window.feedback.shown) window.feedback.shown = performance.now();
}).observe(document.getElementById(notice), {childList: true, characterData: true, subtree: true, attributes: true});
"""


class AdminConsoleTest(test_pages.BrowserTestCase):
    @classmethod
    def setUpClass(cls):
        # two attempts, quickly: a delivery to a failing receiver is dead within a second or two
        cls.sys = System("consoleadmin", lifecycle=True, notify=True,
                         notify_env={"ADUAN_DELIVERY_ATTEMPTS": "2", "ADUAN_RETRY_BASE_MS": "100",
                                     "ADUAN_RETRY_CAP_MS": "200"})
        cls.base = f"http://127.0.0.1:{cls.sys.http_port}"
        cls.sys.start()
        cls.auth = {}
        for name, (role, institution) in STAFF.items():
            cls.sys.create_staff(name, role, institution, password=PASSWORD)
            cls.auth[name] = cls.sys.login(name, PASSWORD)
        cls.receiver = WebhookReceiver()
        cls.receiver.start()
        cls.axe = axe_core.axe_source()
        cls.browser = test_pages.chromium(1280)

    @classmethod
    def tearDownClass(cls):
        try:
            cls.receiver.stop()
        finally:
            super().tearDownClass()

    # the console's and the citizens' pages' test helpers (modules, so that their tests do not run here)
    setUp = test_console.ConsoleTest.setUp
    at = test_console.ConsoleTest.at

    def wait_long(self, predicate, what, seconds=40):
        return self.sys.wait_for(lambda: predicate() or None, seconds, what)

    def sign_in(self, who):
        self.browser.execute_script("sessionStorage.clear()")   # signed in already: the sign-in page moves on
        test_console.ConsoleTest.sign_in(self, who)

    def nav_links(self, selector="a.nav-admin"):
        # the header holds every link; those the role may not open are hidden
        return [a.get_attribute("href")[len(self.base):]
                for a in self.browser.find_elements(By.CSS_SELECTOR, "#site-nav " + selector) if a.is_displayed()]

    def fits(self, width):
        overflow = self.browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        self.assertLessEqual(overflow, 0, f"the page fits {width} px")

    def accessible_at_both_widths(self, what):
        for width in (1280, 768):
            self.browser.set_window_size(width, 900)
            self.assert_accessible(f"{what} at {width}")
            self.fits(width)
        self.browser.set_window_size(1280, 900)

    def log_states(self):
        return self.browser.execute_script(
            "return [...document.querySelectorAll('#log-rows tr')].map((tr) => [tr.dataset.delivery,"
            " tr.querySelector('.delivery-status').dataset.status, tr.cells[4].textContent, tr.cells[5].textContent])")

    def feedback_ms(self):
        times = self.browser.execute_script("return window.feedback")
        return times["shown"] - times["answer"]

    def dispatched(self):
        status, _, doc = self.sys.json("POST", "/api/v1/reports", valid_report())
        self.assertEqual(status, 201, doc)
        tracking_id = doc["tracking_id"]
        status, doc = self.sys.act(tracking_id, self.auth["nas"], "verify")
        self.assertEqual(status, 200, doc)
        return tracking_id

    # -- webhooks ---------------------------------------------------------------------------------
    def test_admin_registers_a_webhook_sees_a_failed_delivery_and_resends_it(self):
        self.sign_in("kota")
        self.assertEqual(self.nav_links(), ["/konsol/staf", "/konsol/webhook", "/konsol/atur"],
                         "an institution admin: staff, webhooks and its routing rules, not Open311 keys")
        self.browser.find_element(By.CSS_SELECTOR, "a.nav-admin[href='/konsol/webhook']").click()
        self.wait_ready()
        # the page's own check first, then the API's
        self.by_id("w-url").send_keys("ftp://127.0.0.1/x" + Keys.ENTER)
        self.wait(lambda: "http://" in self.by_id("create-result").text, "the URL refused in words")
        self.assertEqual(self.by_id("w-url").get_attribute("aria-invalid"), "true")
        self.by_id("w-url").clear()
        self.by_id("w-url").send_keys(self.receiver.url())
        self.by_id("w-events").send_keys("report.dispatched")
        self.by_id("w-description").send_keys("penerima uji")
        self.by_id("create").find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        self.wait(lambda: self.by_id("secret-box").is_displayed(), "the secret shown once")
        secret = self.by_id("secret").get_attribute("value")
        self.assertEqual(len(secret), 43)
        self.assertIn("hanya ditampilkan sekarang", self.by_id("secret-box").text)
        self.receiver.secret = secret
        hooks = self.sys.json("GET", "/api/v1/webhooks", headers=self.auth["kota"])[2]["items"]
        self.assertEqual([(h["url"], h["description"]) for h in hooks], [(self.receiver.url(), "penerima uji")])
        hook = hooks[0]["id"]
        self.wait(lambda: "report.dispatched" in self.row_text(f"#hooks tr[data-webhook='{hook}']"), "the new webhook listed")
        self.accessible_at_both_widths("the webhooks page")

        # a report event; the receiver answers 500 to both attempts: dead, told in the log
        self.receiver.respond(status=500)
        tracking_id = self.dispatched()
        self.assertTrue(self.receiver.wait_for(2, 30), self.receiver.rejected)
        self.browser.find_element(By.CSS_SELECTOR, f"#hooks tr[data-webhook='{hook}'] button.show-log").click()
        self.wait(lambda: self.log_states(), "the delivery in the log")
        self.wait_long(lambda: [s for s in self.log_states() if s[1] == "dead"], "the dead delivery in the log")
        [(delivery, state, attempts, error)] = self.log_states()
        self.assertEqual((state, attempts, error), ("dead", "2 / 2", "HTTP 500"))
        self.assertEqual(self.receiver.delivery_ids(), [delivery] * 2)
        self.accessible_at_both_widths("the delivery log")

        # back up: resend from the page, the log follows it to "delivered"
        self.receiver.respond(status=204)
        self.browser.execute_script(FEEDBACK_PROBE, "/resend", "log-notice")
        self.browser.find_element(By.CSS_SELECTOR, f"#log-rows tr[data-delivery='{delivery}'] button.resend").click()
        self.wait(lambda: "done" in self.by_id("log-notice").get_attribute("class"), "the resend's answer")
        feedback = self.feedback_ms()
        print(f"\nresend: feedback {feedback:.1f} ms after the answer", flush=True)
        self.assertLess(feedback, 100)
        self.wait_long(lambda: [s for s in self.log_states() if s[1] == "delivered"], "the delivery after resend")
        self.assertEqual(self.log_states()[0][:3], [delivery, "delivered", "3 / 5"])
        self.assertEqual(self.receiver.delivery_ids(), [delivery] * 3, "the same delivery, sent once more")

        # the report's page lists the same delivery
        self.open(f"/konsol/laporan/{tracking_id}")
        self.wait(lambda: self.browser.find_elements(By.CSS_SELECTOR, f"#delivery-rows tr[data-delivery='{delivery}']"),
                  "the webhook delivery on the report page")
        self.assert_accessible("the report page with its deliveries")

        # switching off asks first, then holds for good
        self.open("/konsol/webhook")
        self.browser.find_element(By.CSS_SELECTOR, f"#hooks tr[data-webhook='{hook}'] button.switch-off").click()
        self.wait(lambda: self.by_id("confirm").is_displayed(), "the confirmation")
        # the confirmation is a part shared with the Open311 keys page, in this page's own words
        self.assertEqual(self.by_id("confirm-yes").text, "Ya, matikan")
        self.by_id("confirm-yes").click()
        self.wait(lambda: "dimatikan" in self.row_text(f"#hooks tr[data-webhook='{hook}']"), "the webhook switched off")
        hooks = self.sys.json("GET", "/api/v1/webhooks", headers=self.auth["kota"])[2]["items"]
        self.assertEqual((hooks[0]["active"], hooks[0]["disabled_reason"]), (False, "removed by kota"))

    # -- Open311 keys -----------------------------------------------------------------------------
    def open311_post(self, key):
        body = {"api_key": key, "service_code": "JALAN.BERLUBANG", "lat": "1.1456", "long": "104.0113",
                "address_string": "Jl. Raden Patah", "description": "Lubang besar di depan pasar, bahaya sekali.",
                "email": "wibi.hartanto@example.org", "first_name": "Wibisono"}
        return self.sys.request("POST", "/open311/v2/requests.json", urllib.parse.urlencode(body), headers=FORM)[0]

    def key_row(self, name):
        return self.browser.find_element(By.CSS_SELECTOR, f"#keys tr[data-key='{name}']")

    def row_text(self, selector):
        # read in one script: the page may redraw its table between two element look-ups
        return self.browser.execute_script(
            "const row = document.querySelector(arguments[0]); return row ? row.textContent : ''", selector)

    def test_national_admin_issues_an_open311_key_and_revokes_it_by_keyboard(self):
        self.sign_in("nas")
        self.assertEqual(self.nav_links(), ["/konsol/staf", "/konsol/webhook", "/konsol/open311", "/konsol/atur"])
        self.open("/konsol/open311")
        self.by_id("k-name").send_keys("lapakwarga")
        self.by_id("k-region").send_keys("21.71")
        self.by_id("k-token").send_keys(Keys.SPACE)
        self.browser.execute_script(FEEDBACK_PROBE, "/open311-keys", "create-result")
        self.by_id("k-region").send_keys(Keys.ENTER)
        self.wait(lambda: self.by_id("secret-box").is_displayed(), "the key shown once")
        print(f"\nissue: feedback {self.feedback_ms():.1f} ms after the answer", flush=True)
        self.assertLess(self.feedback_ms(), 100)
        key = self.by_id("secret").get_attribute("value")
        self.assertIn("open311.lapakwarga", self.by_id("create-result").text)
        self.assertIn("hanya ditampilkan sekarang", self.by_id("secret-box").text)
        self.by_id("copy-secret").send_keys(Keys.ENTER)
        self.wait(lambda: self.by_id("copy-secret-result").text, "the copy's outcome")
        print(f"copy: {self.by_id('copy-secret-result').text}", flush=True)
        self.wait(lambda: "lapakwarga" in self.row_text("#keys tr[data-key='lapakwarga']"), "the new key listed")
        self.assertNotIn(key, self.browser.find_element(By.ID, "keys").text)
        self.assertEqual(self.open311_post(key), 201, "the new key is accepted")
        self.accessible_at_both_widths("the Open311 keys page")

        # revoke: cancel first (Escape), then confirm, by keyboard
        revoke = self.key_row("lapakwarga").find_element(By.CSS_SELECTOR, "button.revoke")
        revoke.send_keys(Keys.ENTER)
        self.wait(lambda: self.by_id("confirm").is_displayed(), "the confirmation")
        self.assertEqual(self.browser.switch_to.active_element.get_attribute("id"), "confirm-no")
        self.assert_accessible("the confirmation")
        self.browser.switch_to.active_element.send_keys(Keys.ESCAPE)
        self.wait(lambda: not self.by_id("confirm").is_displayed(), "the confirmation cancelled")
        self.assertEqual(self.open311_post(key), 201, "still in force after cancelling")
        revoke = self.key_row("lapakwarga").find_element(By.CSS_SELECTOR, "button.revoke")
        self.assertEqual(self.browser.switch_to.active_element, revoke, "focus back on the button")
        revoke.send_keys(Keys.ENTER)
        self.wait(lambda: self.by_id("confirm").is_displayed(), "the confirmation again")
        self.assertEqual(self.by_id("confirm-yes").text, "Ya, cabut")
        self.by_id("confirm-yes").send_keys(Keys.ENTER)
        self.wait(lambda: "dicabut" in self.row_text("#keys tr[data-key='lapakwarga']"), "the key revoked")
        self.assertEqual(self.open311_post(key), 403, "a revoked key is refused")

    def test_other_roles_get_no_links_and_pages_that_say_why(self):
        self.sign_in("pupr")
        self.assertEqual(self.nav_links(), [])
        self.open("/konsol/webhook")
        self.wait(lambda: self.by_id("forbidden").is_displayed(), "the webhooks page refused")
        self.assertIn("hanya untuk admin", self.by_id("forbidden").text)
        self.assertFalse(self.by_id("admin").is_displayed())
        self.assert_accessible("the webhooks page refused")
        self.sign_in("kota")
        self.open("/konsol/open311")
        self.wait(lambda: self.by_id("forbidden").is_displayed(), "the Open311 page refused")
        self.assertIn("hanya untuk admin nasional", self.by_id("forbidden").text)
        self.assert_accessible("the Open311 page refused")
        self.browser.execute_script("sessionStorage.clear()")
        self.open("/konsol/open311")
        self.wait(lambda: self.at("/konsol"), "no session: back to sign-in")

    # -- the header's links ------------------------------------------------------------------------
    # each admin page and the API it shows: the header offers a page exactly when the gateway answers
    # the role's call of that API
    ADMIN_APIS = {"/konsol/staf": "/api/v1/staff", "/konsol/webhook": "/api/v1/webhooks",
                  "/konsol/open311": "/api/v1/admin/open311-keys", "/konsol/atur": "/api/v1/admin/holidays"}

    def test_the_header_offers_what_the_role_may_open(self):
        self.browser.execute_script("sessionStorage.clear()")
        self.open("/konsol")
        self.assertFalse(self.by_id("site-nav").is_displayed(), "no links before signing in")
        offered = {"pupr": [], "kota": ["/konsol/staf", "/konsol/webhook", "/konsol/atur"],
                   "nas": ["/konsol/staf", "/konsol/webhook", "/konsol/open311", "/konsol/atur"]}
        for who, admin_pages in offered.items():
            self.sign_in(who)
            self.assertEqual(self.nav_links("a"), ["/konsol/meja", "/konsol/kotak-masuk"] + admin_pages, who)
            self.assertEqual(self.browser.find_element(By.CSS_SELECTOR, "#site-nav a[aria-current=page]").get_attribute("href"),
                             self.base + "/konsol/meja", "the desk marked as the page shown")
            for page, api in self.ADMIN_APIS.items():
                status = self.sys.json("GET", api, headers=self.auth[who])[0]
                self.assertEqual(status == 200, page in admin_pages, f"{who}: {page} offered, {api} answers {status}")
            self.assert_accessible(f"the desk's header for {who}")
        self.open("/konsol/atur")
        self.wait(lambda: self.nav_links(), "the header of the reference data page")
        self.browser.find_element(By.CSS_SELECTOR, "#site-nav a[href='/konsol/staf']").send_keys(Keys.ENTER)
        self.wait(lambda: self.at("/konsol/staf"), "the staff page by keyboard from the header")

    def test_english(self):
        self.sign_in("nas")
        self.open("/konsol/webhook?lang=en")
        self.assertEqual(self.browser.find_element(By.TAG_NAME, "h1").text, "Webhooks and their deliveries")
        self.assertEqual([a.text for a in self.browser.find_elements(By.CSS_SELECTOR, "a.nav-admin") if a.is_displayed()],
                         ["Staff", "Webhooks", "Open311 keys", "Reference data"])
        self.open("/konsol/open311")
        self.assertEqual(self.browser.find_element(By.TAG_NAME, "h1").text, "Open311 keys of client applications")


if __name__ == "__main__":
    unittest.main(verbosity=2)
