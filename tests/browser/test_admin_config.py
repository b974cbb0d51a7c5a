"""The administration page (/konsol/atur) in a real browser against the real services: a national
admin adds a holiday and a routing rule from the page with the keyboard (aduan-route has them at
once), sees a field error beside its field, and axe finds nothing serious at 1280 px and 768 px; an
institution admin is told the page is not theirs; the sign-in code's template shows its own names,
previews with a sample code and is refused without {{code}}."""
import unittest

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

import test_console

DAY = "2027-12-27"


class AdminConfigPageTest(test_console.ConsoleTest):
    def open_page(self, who):
        self.sign_in(who)
        self.open("/konsol/atur")

    def rows(self, table):
        return self.browser.execute_script(
            f"return [...document.querySelectorAll('#{table} tbody tr')].map((tr) => tr.textContent)")

    def test_admin_adds_a_holiday_and_a_routing_rule_by_keyboard(self):
        self.open_page("nas")
        self.wait(lambda: self.rows("holiday-table"), "the holidays listed")
        self.assert_accessible("the administration page at 1280 px")

        # a holiday without a name: the error beside the name field, and the field marked
        self.browser.execute_script(f"document.getElementById('holiday-day').value = '{DAY}'")
        self.by_id("holiday-name").send_keys(Keys.ENTER)
        self.wait(lambda: self.by_id("holiday-name-error").text, "the error beside the name")
        self.assertEqual(self.by_id("holiday-name").get_attribute("aria-invalid"), "true")
        self.assertEqual(self.browser.switch_to.active_element, self.by_id("holiday-name"))

        self.by_id("holiday-name").send_keys("Cuti bersama akhir tahun")
        kind = self.by_id("holiday-kind")
        kind.send_keys(Keys.ARROW_DOWN)   # national → joint leave, by keyboard
        self.by_id("holiday-name").send_keys(Keys.ENTER)
        self.wait(lambda: any(DAY in row for row in self.rows("holiday-table")), "the new holiday listed")
        self.assertEqual(self.by_id("holiday-name-error").text, "")
        holidays = self.sys.json("GET", "/api/v1/admin/holidays", headers=self.auth["nas"])[2]["holidays"]
        self.assertIn({"day": DAY, "name": "Cuti bersama akhir tahun", "kind": "joint_leave"}, holidays)

        Select(self.by_id("rule-category")).select_by_value("KES")
        self.by_id("rule-region").send_keys("21.71")
        self.by_id("rule-institution").send_keys("KOTA-21.71.DINSOS" + Keys.ENTER)
        self.wait(lambda: any("KOTA-21.71.DINSOS" in row and "KES" in row for row in self.rows("rule-table")),
                  "the new rule listed")
        rules = self.sys.json("GET", "/api/v1/admin/routing-rules", headers=self.auth["nas"])[2]["rules"]
        self.assertIn(("KES", "21.71", "KOTA-21.71.DINSOS"),
                      [(r["category"], r["region"], r["institution"]) for r in rules])

        # an unknown institution: the owner's 422 shown beside the institution field
        self.by_id("rule-region").send_keys("21.72")
        self.by_id("rule-institution").send_keys("TIDAK-ADA" + Keys.ENTER)
        self.wait(lambda: self.by_id("rule-institution-error").text, "the error beside the institution")

        self.browser.set_window_size(768, 900)
        self.assert_accessible("the administration page at 768 px")

    def test_sign_in_code_template_shows_its_own_names_and_previews_the_code(self):
        self.open_page("nas")
        self.wait(lambda: self.by_id("template-subject").get_attribute("value"), "the templates loaded")
        Select(self.by_id("template-template")).select_by_value("sign_in_code")
        names = self.by_id("template-names").text
        self.assertIn("{{code}} {{valid_minutes}}", names)
        self.assertNotIn("{{tracking_id}}", names, "a code mail carries no report")
        self.assertIn("{{code}}", self.by_id("template-text-body").get_attribute("value"))
        self.by_id("template-preview").click()
        self.wait(lambda: self.by_id("preview").is_displayed(), "the preview shown")
        self.assertIn("12345678", self.by_id("preview-text").text)
        text = self.by_id("template-text-body")
        text.clear()
        text.send_keys("Berlaku {{valid_minutes}} menit.")
        self.by_id("template-preview").click()
        self.wait(lambda: "{{code}}" in self.by_id("template-text-body-error").text, "the missing code named")
        self.assertEqual(text.get_attribute("aria-invalid"), "true")
        self.assert_accessible("the templates form with the sign-in code's error")

    def test_institution_admin_is_told_the_page_is_not_theirs(self):
        self.open_page("prov")
        self.wait(lambda: self.by_id("atur-forbidden").is_displayed(), "the refusal shown")
        self.assertEqual(self.rows("holiday-table"), [])
        self.assert_accessible("the administration page refused")


# The console's own tests run in browser_console: only the helpers are inherited here.
for name in dir(test_console.ConsoleTest):
    if name.startswith("test_") and name not in AdminConfigPageTest.__dict__:
        setattr(AdminConfigPageTest, name, None)
del test_console.ConsoleTest   # not collected from this module either

if __name__ == "__main__":
    unittest.main()
