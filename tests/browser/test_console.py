"""The staff console in a real browser (headless Debian chromium through chromedriver) against the
real services: a unit officer signs in and sees only their subtree and follows a report up with a
public response the citizens' page then shows; a provincial admin verifies three reports in bulk
(the reporters' mails arrive in the sink) and transfers one; a 409 told in words, also when no
action is left to offer; the English switch; sign-in by keyboard only; axe-core on every page at
1280 px and 768 px; the public dashboard with the DOMAIN.md example ranked first, a group below
the public minimum withheld, and its CSV download equal to the API's export."""
import re
import unittest

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.ui import Select

from aduan_harness import System, valid_report
import axe_core
import test_pages

STAFF = {"nas": ("national_admin", "NASIONAL"), "prov": ("institution_admin", "PROV-21"),
         "pupr": ("unit_liaison", "KOTA-21.71.PUPR")}
PASSWORD = "rahasia-sekali-123"

# the site's header in a page as the gateway serves it (web/<site>/header.part.html, framed at build)
HEADER = re.compile(r"<header class=\"site\">.*?</header>", re.S)

# the data-i18n keys a page left as they are: missing from the catalogue of its language
MISSING_KEYS = """
return [...document.querySelectorAll('[data-i18n]')].filter((el) => el.textContent === el.dataset.i18n)
  .map((el) => el.dataset.i18n);
"""


class ConsoleTest(test_pages.BrowserTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("console", lifecycle=True, notify=True)
        cls.base = f"http://127.0.0.1:{cls.sys.http_port}"
        cls.sys.notify.env["ADUAN_PUBLIC_URL"] = cls.base
        cls.sys.start()
        cls.auth = {}
        for name, (role, institution) in STAFF.items():
            cls.sys.create_staff(name, role, institution, password=PASSWORD)
            cls.auth[name] = cls.sys.login(name, PASSWORD)
        cls.axe = axe_core.axe_source()
        cls.browser = test_pages.chromium(1280)

    def setUp(self):
        self.open("/konsol")
        self.browser.execute_script("localStorage.clear(); sessionStorage.clear()")
        self.browser.set_window_size(1280, 900)

    # the citizens' pages' test helpers (imported as a module so that their tests do not run here)
    act_ok = test_pages.PagesTest.act_ok

    def submit(self, **overrides):
        status, _, doc = self.sys.json("POST", "/api/v1/reports", valid_report(**overrides))
        self.assertEqual(status, 201, doc)
        return doc["tracking_id"]

    def staff_view(self, tracking_id):
        return self.sys.json("GET", f"/api/v1/staff/reports/{tracking_id}", headers=self.auth["nas"])[2]

    def dispatched(self, **overrides):
        tracking_id = self.submit(**overrides)
        self.act_ok(tracking_id, "nas", "verify")
        self.sys.wait_for(lambda: self.staff_view(tracking_id)["status"] == "dispatched", what="dispatch")
        return tracking_id

    def at(self, path):
        return self.browser.execute_script("return location.pathname") == path

    def sign_in(self, who):
        self.open("/konsol")
        self.by_id("username").send_keys(who)
        self.by_id("password").send_keys(PASSWORD + Keys.ENTER)
        self.wait(lambda: self.at("/konsol/meja"), "the desk after signing in")
        self.wait_ready()

    def desk_ids(self):
        # read in one script: the desk may redraw its rows between two element look-ups
        return self.browser.execute_script(
            "return [...document.querySelectorAll('#rows td.code a')].map((a) => a.textContent)")

    def search(self, text):
        box = self.by_id("f-q")
        box.clear()
        box.send_keys(text + Keys.ENTER)
        self.wait(lambda: "q=" in self.browser.current_url, "the search applied")

    def act_in_page(self, action, note=None, reason=None, institution=None):
        Select(self.by_id("a-action")).select_by_value(action)
        if reason:
            Select(self.by_id("a-reason")).select_by_value(reason)
        if institution:
            self.by_id("a-institution").send_keys(institution)
        if note:
            self.by_id("a-note").send_keys(note)
        before = self.by_id("act-result").text
        self.browser.find_element(By.CSS_SELECTOR, "#act button[type=submit]").click()
        self.wait(lambda: self.by_id("act-result").text not in (before, "Mengirim…", "Sending…"), "the action's answer")
        return self.by_id("act-result")

    # -- tests ----------------------------------------------------------------------------------
    def test_unit_officer_sees_only_its_subtree_and_follows_up_in_public(self):
        mine = self.dispatched(body="Jalan berlubang Kenariputih di depan sekolah, mohon segera ditambal dinas.")
        other = self.dispatched(body="Jalan berlubang Kenariputih di Tanjungpinang dekat pelabuhan.", region="21.72")
        self.sign_in("pupr")
        self.search("Kenariputih")
        self.wait(lambda: mine in self.desk_ids(), "the officer's report on the desk")
        self.assertNotIn(other, self.desk_ids(), "a report outside the subtree")
        # the desk may redraw its rows between finding the link and clicking it: ask again
        self.wait(lambda: self.browser.find_element(By.LINK_TEXT, mine).click() or True, "the report opened")
        self.wait_ready()
        self.assertEqual([o.get_attribute("value") for o in Select(self.by_id("a-action")).options],
                         ["follow_up", "internal_note", "assign"], "a unit liaison follows up, writes notes, takes")
        result = self.act_in_page("assign")
        self.assertIn("done", result.get_attribute("class"), result.text)
        self.assertEqual(self.by_id("assignee").text, "pupr", "the officer took the report (their name prefilled)")
        response = "Tim PUPR sudah menambal lubang pada 3 Desember."
        result = self.act_in_page("follow_up", note=response)
        self.assertIn("done", result.get_attribute("class"), result.text)
        self.wait(lambda: response in self.by_id("history").text, "the response in the history")
        note = "Catatan internal: aspal dari stok gudang, tagih ke kontraktor."
        result = self.act_in_page("internal_note", note=note)
        self.assertIn("done", result.get_attribute("class"), result.text)
        self.wait(lambda: note in self.by_id("history").text, "the internal note in the history")
        self.open("/konsol/meja?mine=true")
        self.wait(lambda: self.desk_ids() == [mine], "my reports: the one taken")
        self.open(f"/lapor/{mine}")
        self.wait(lambda: response in self.browser.find_element(By.ID, "steps").text, "the public response")
        self.assertNotIn(note, self.browser.find_element(By.TAG_NAME, "body").text, "the note is not public")
        self.browser.execute_script("sessionStorage.clear()")
        self.open(f"/konsol/laporan/{mine}")
        self.wait(lambda: self.at("/konsol"), "no session: back to sign-in")

    def test_provincial_admin_verifies_three_in_bulk_and_transfers_one(self):
        word = "Merakbiru"
        reports = [self.submit(body=f"Lubang jalan {word} nomor {n}, sudah lama tidak diperbaiki dinas.",
                               target_institution="KOTA-21.71")
                   for n in range(3)]
        self.sign_in("prov")
        self.search(word)
        self.wait(lambda: sorted(self.desk_ids()) == sorted(reports), "the three reports on the desk")
        self.assertIn("3", self.by_id("counts").text)
        self.by_id("select-all").click()
        Select(self.by_id("b-action")).select_by_value("verify")
        self.by_id("b-submit").click()
        self.wait(lambda: len(self.browser.find_elements(By.CSS_SELECTOR, "#bulk-outcome li.done")) == 3,
                  "three reports verified, each with its outcome")
        for tracking_id in reports:
            self.sys.wait_for(lambda: [m for m in self.sys.mail.messages()
                                       if tracking_id in (m["subject"] or "") and "diteruskan" in m["subject"]],
                              60, f"the reporter's dispatch mail of {tracking_id}")
            self.sys.wait_for(lambda: self.staff_view(tracking_id)["status"] == "dispatched", what="dispatch")
        # pressing again acts on nothing twice: the same keys answer as before
        self.by_id("select-all").click()
        self.by_id("b-submit").click()
        self.wait(lambda: self.by_id("bulk-outcome").text.count(reports[0]) == 1, "the outcome of a second press")
        self.assertEqual(sum(1 for a in self.staff_view(reports[0])["actions"] if a["action"] == "verify"), 1)
        self.open(f"/konsol/laporan/{reports[0]}")
        result = self.act_in_page("transfer", reason="other_institution", institution="KOTA-21.72",
                                  note="Lokasinya di Tanjungpinang.")
        self.assertIn("done", result.get_attribute("class"), result.text)
        view = self.staff_view(reports[0])
        self.assertEqual((view["status"], view["institution"]), ("transferred", "KOTA-21.72"))

    def test_a_pick_made_while_a_live_refresh_is_on_its_way_is_kept(self):
        word = "Kenarihijau"
        first = self.submit(body=f"Saluran {word} tersumbat sampah sejak minggu lalu, air meluap.",
                            target_institution="KOTA-21.71")
        self.sign_in("prov")
        self.search(word)
        self.wait(lambda: self.desk_ids() == [first], "the report on the desk")
        # The desk's lists are held until the test lets them through; the pick and the release are
        # one script, so no refresh starts between them.
        self.browser.execute_script("""
            const real = window.fetch;
            const held = [];
            window.heldLists = () => held.length;
            window.pickAndRelease = (id) => {
              document.querySelector(`.pick[value='${id}']`).click();
              window.fetch = real;
              held.splice(0).forEach((go) => go());
            };
            window.fetch = (url, options) => {
              if (!String(url).startsWith('/api/v1/staff/reports?')) return real(url, options);
              return new Promise((resolve) => held.push(() => resolve(real(url, options))));
            };""")
        second = self.submit(body=f"Saluran {word} di ujung gang juga tersumbat, bau menyengat.",
                             target_institution="KOTA-21.71")
        self.wait(lambda: self.browser.execute_script("return window.heldLists()") > 0, "a live refresh on its way")
        self.browser.execute_script("window.pickAndRelease(arguments[0])", first)
        self.wait(lambda: sorted(self.desk_ids()) == sorted([first, second]), "the refresh shown")
        picked = self.browser.execute_script(
            "return [...document.querySelectorAll('.pick:checked')].map((el) => el.value)")
        self.assertEqual(picked, [first], "the pick made meanwhile is kept")
        self.assertFalse(self.by_id("select-all").is_selected(), "one of two picked: not every row")

    def test_a_conflict_is_told_in_words(self):
        tracking_id = self.submit(target_institution="PROV-21")
        self.sign_in("prov")
        self.open(f"/konsol/laporan/{tracking_id}")
        self.act_ok(tracking_id, "nas", "verify")
        self.sys.wait_for(lambda: self.staff_view(tracking_id)["status"] == "dispatched", what="dispatch")
        result = self.act_in_page("verify")
        self.assertIn("failed", result.get_attribute("class"))
        self.assertRegex(result.text, r"sudah .* oleh nas pukul \d\d[.:]\d\d")

    def test_a_conflict_that_leaves_no_action_is_told_in_view(self):
        """Archived by someone else meanwhile, the report offers no action: the form goes, and the
        answer stays in view. It was inside the form and went with it; so did the conflict test's
        answer whenever route had not yet dispatched the verified report (a verified report offers
        no action either): a 20 s wait for a text that was set but hidden."""
        tracking_id = self.submit(target_institution="PROV-21")
        self.sign_in("prov")
        self.open(f"/konsol/laporan/{tracking_id}")
        self.act_ok(tracking_id, "nas", "archive", reason_code="spam")
        result = self.act_in_page("verify")
        self.assertFalse(self.by_id("act").is_displayed())
        self.assertTrue(self.by_id("no-actions").is_displayed())
        self.assertIn("failed", result.get_attribute("class"))
        self.assertRegex(result.text, r"sudah .* oleh nas pukul \d\d[.:]\d\d")

    def test_english_switch_and_keyboard_only_sign_in(self):
        self.open("/konsol")
        self.assertEqual(self.browser.find_element(By.TAG_NAME, "h1").text, "Masuk ke konsol petugas")
        self.by_id("lang-switch").click()
        self.wait(lambda: self.browser.find_element(By.TAG_NAME, "h1").text == "Sign in to the staff console",
                  "the English page")
        self.assertEqual(self.browser.find_element(By.TAG_NAME, "html").get_attribute("lang"), "en")
        keys = ActionChains(self.browser)
        self.browser.find_element(By.TAG_NAME, "body").click()
        while self.browser.switch_to.active_element.get_attribute("id") != "username":
            keys.send_keys(Keys.TAB).perform()
        keys.send_keys("nas", Keys.TAB, PASSWORD, Keys.TAB, Keys.ENTER).perform()
        self.wait(lambda: self.at("/konsol/meja"), "the desk by keyboard")
        self.wait_ready()
        self.assertEqual(self.browser.find_element(By.TAG_NAME, "h1").text, "The desk")
        self.by_id("sign-out").send_keys(Keys.ENTER)
        self.wait(lambda: self.at("/konsol"), "signed out")

    def test_every_page_is_accessible_at_1280_and_768(self):
        tracking_id = self.dispatched()
        for width in (1280, 768):
            with self.subTest(width=width):
                self.browser.set_window_size(width, 900)
                self.browser.execute_script("sessionStorage.clear()")
                self.open("/konsol")
                self.assert_accessible(f"sign-in at {width}")
                self.sign_in("nas")
                self.assert_accessible(f"desk at {width}")
                overflow = self.browser.execute_script(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
                self.assertLessEqual(overflow, 0, f"the desk fits {width} px")
                self.open(f"/konsol/laporan/{tracking_id}")
                self.assert_accessible(f"report page at {width}")
                self.open("/dasbor")
                self.assert_accessible(f"dashboard at {width}")
                overflow = self.browser.execute_script(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
                self.assertLessEqual(overflow, 0, f"the dashboard fits {width} px")

    def test_inbox_with_unread_counts(self):
        tracking_id = self.dispatched(body="Jalan amblas Kelapagading di depan puskesmas, mohon ditangani.")
        self.sys.wait_for(lambda: [i for i in self.sys.json("GET", "/api/v1/inbox?unread=true&limit=200",
                                                            headers=self.auth["pupr"])[2]["items"]
                                   if i["tracking_id"] == tracking_id], 30, "the unit's inbox item")
        unread = self.sys.json("GET", "/api/v1/inbox?unread=true", headers=self.auth["pupr"])[2]["unread"]
        self.sign_in("pupr")
        link = self.by_id("inbox-link")
        self.wait(lambda: link.get_attribute("data-unread") == str(unread), "the unread count in the header")
        link.click()
        self.wait_ready()
        self.assert_accessible("the inbox")
        item = [li for li in self.browser.find_elements(By.CSS_SELECTOR, "#items li.unread") if tracking_id in li.text][0]
        item.find_element(By.TAG_NAME, "button").click()
        self.wait(lambda: self.by_id("inbox-link").get_attribute("data-unread") == str(unread - 1), "one fewer unread")
        self.assertEqual(self.sys.json("GET", "/api/v1/inbox?unread=true", headers=self.auth["pupr"])[2]["unread"],
                         unread - 1)

    def seed_2022(self):
        """The DOMAIN.md example in 2022: Batam 273 received, 271 completed; Tanjungpinang 9 completed
        road reports and 3 social ones still in process (a category group below the public minimum)."""
        rows = [("KOTA-21.71.PUPR", "21.71", "JALAN.BERLUBANG", i < 271, i) for i in range(273)]
        rows += [("KOTA-21.72.PUPR", "21.72", "JALAN.BERLUBANG", True, i) for i in range(9)]
        rows += [("KOTA-21.72.DINSOS", "21.72", "SOSIAL", False, i) for i in range(3)]
        values = ",".join(
            f"('D2022-{inst[-9:]}-{i:04d}', 1, '2022-06-01T03:00:00Z', 'complaint', '{category}', '{region}', 'web', "
            f"'{inst}', '{'closed_by_admin' if done else 'in_process'}', '{'completed' if done else 'in_process'}', "
            f"'2022-06-01T05:00:00Z', '2022-06-01T06:00:00Z', '2022-06-02T06:00:00Z', "
            f"{repr('2022-06-10T06:00:00Z') if done else 'NULL'})"
            for inst, region, category, done, i in rows)
        self.sys.db.scalar(
            "INSERT INTO stat_reports (tracking_id, last_seq, submitted_at, classification, category_code, "
            "region_code, channel, institution_code, status, public_status, verified_at, dispatched_at, "
            f"followed_up_at, completed_at) VALUES {values}; SELECT stat_rollup_recount()")
        self.addCleanup(self.sys.db.scalar,
                        "DELETE FROM stat_reports WHERE tracking_id LIKE 'D2022-%'; SELECT stat_rollup_recount()")

    def table_rows(self, body_id):
        return self.browser.execute_script(
            "return [...document.getElementById(arguments[0]).rows].map((tr) => [...tr.cells].map((td) => td.innerText))",
            body_id)

    def test_dashboard_ranks_the_domain_example_and_withholds_small_groups(self):
        self.seed_2022()
        selection = "from=2022-01-01&to=2022-12-31&level=city&group_by=category"
        self.open("/dasbor?" + selection)
        ranking = self.table_rows("rankings")
        self.assertEqual(ranking[0], ["1", "Pemerintah Kota Batam", "273", "271", "99,27 %"])
        self.assertEqual(ranking[1][:2], ["2", "Pemerintah Kota Tanjungpinang"])
        groups = {row[0]: row for row in self.table_rows("groups")}
        self.assertEqual(groups["JALAN.BERLUBANG"][1], "282")
        self.assertEqual(set(groups["SOSIAL"][1:]), {"disembunyikan"}, "3 reports: below the public minimum")
        self.assertEqual(len(self.browser.find_elements(By.CSS_SELECTOR, "#groups-chart svg rect")), 2)
        self.assert_accessible("the dashboard")
        # the download is the API's export of the same selection, byte for byte
        href = self.by_id("download-csv").get_attribute("href")
        status, headers, offered = self.sys.request("GET", href[len(self.base):])
        self.assertEqual((status, headers["content-type"].split(";")[0]), (200, "text/csv"))
        exported = self.sys.request("GET", "/api/v1/stats/export/summary?format=csv&" + selection.replace("level=city&", ""))[2]
        self.assertEqual(offered, exported)
        self.assertIn(b"SOSIAL,,", offered)
        # English, and one institution's months
        self.by_id("lang-switch").click()
        self.wait(lambda: self.table_rows("rankings") and self.table_rows("rankings")[0][-1] == "99.27 %", "English figures")
        self.browser.find_element(By.LINK_TEXT, "Pemerintah Kota Batam").click()
        self.wait_ready()
        self.wait(lambda: ["2022-06", "273", "271", "99.27 %"] == self.table_rows("trend")[0][:4]
                  if self.table_rows("trend") and self.table_rows("trend")[0][0] == "2022-06"
                  else any(r[:2] == ["2022-06", "273"] for r in self.table_rows("trend")), "the June 2022 month")
        self.assert_accessible("an institution's page")

    # -- the frame of every page (web/shared/frame.part.html) ----------------------------------------
    def every_page(self, tracking_id):
        return {
            "citizens": ["/", "/kirim", "/laporan", "/ikuti", "/laporan-saya", "/lapor/" + tracking_id],
            "console": ["/konsol", "/konsol/meja", "/konsol/kotak-masuk", "/konsol/laporan/" + tracking_id,
                        "/konsol/staf", "/konsol/webhook", "/konsol/open311", "/konsol/atur"],
            "dashboard": ["/dasbor", "/dasbor/instansi/KOTA-21.71"],
        }

    def test_every_page_of_a_site_is_served_with_the_same_header(self):
        for site, paths in self.every_page(self.submit()).items():
            headers = set()
            for path in paths:
                status, _, body = self.sys.request("GET", path)
                self.assertEqual(status, 200, path)
                page = body.decode()
                found = HEADER.findall(page)
                self.assertEqual(len(found), 1, f"{path}: one header, whole before any script runs")
                self.assertEqual(page.count('<main id="main"'), 1, path)
                self.assertIn('<a class="skip" href="#main"', page, path)
                self.assertIn('id="lang-switch"', page, path)
                self.assertNotIn("@PART:", page, path)
                headers.add(found[0])
            self.assertEqual(len(headers), 1, f"the {site} pages share one header")

    def test_parts_are_not_served(self):
        status, _, body = self.sys.request("GET", "/")
        version = re.search(r'data-assets="/assets/([0-9a-f]{16})"', body.decode()).group(1)
        for name in ("frame.part.html", "header.part.html", "head.part.html"):
            self.assertEqual(self.sys.request("GET", f"/assets/{version}/{name}")[0], 404, name)
        self.assertEqual(self.sys.request("GET", f"/assets/{version}/i18n.js")[0], 200)

    def test_every_page_has_its_words_in_both_languages_and_passes_axe(self):
        for site, paths in self.every_page(self.submit()).items():
            for path in paths:
                if path == "/konsol/meja":
                    self.sign_in("nas")
                for lang in ("id", "en"):
                    with self.subTest(path=path, lang=lang):
                        self.open(path + "?lang=" + lang)
                        self.assertEqual(self.browser.execute_script(MISSING_KEYS), [], "keys missing from the catalogue")
                        self.assertEqual(self.browser.execute_script("return document.documentElement.lang"), lang)
                        self.assertNotIn(".title", self.browser.title)
                        self.assertEqual(self.by_id("lang-switch").text, "English" if lang == "id" else "Bahasa Indonesia")
                        if lang == "id":
                            self.assert_accessible(path)

    def test_serving_headers(self):
        status, headers, raw = self.sys.request("GET", "/konsol/meja")
        self.assertEqual(status, 200)
        self.assertIn("script-src 'self'", headers["content-security-policy"])
        self.assertEqual(headers["cache-control"], "no-cache")
        asset = raw.decode().split('src="')[1].split('"')[0]
        self.assertTrue(asset.startswith("/konsol/assets/"), asset)
        status, headers, _ = self.sys.request("GET", asset)
        self.assertEqual((status, headers["cache-control"]), (200, "public, max-age=31536000, immutable"))
        self.assertEqual(self.sys.request("POST", "/konsol")[0], 405)
        self.assertEqual(self.sys.request("GET", "/konsol/assets/x/../../etc")[0], 404)


if __name__ == "__main__":
    unittest.main(verbosity=2)
