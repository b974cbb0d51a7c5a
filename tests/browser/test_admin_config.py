"""The administration page (/konsol/atur) in a real browser against the real services: a national
admin adds a holiday and a routing rule from the page with the keyboard (aduan-route has them at
once), sees a field error beside its field, renames and reactivates a category; an institution
admin adds and changes a routing rule into its subtree (refused outside it) and reads the national
data without forms; axe finds nothing serious at 1280 px and 768 px; a unit liaison is told the
page is not theirs; the sign-in code's template shows its own names,
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

    def press_button(self, table, row_text, label):
        """Enter on the button `label` of the first row of `table` that contains row_text."""
        button = self.wait(lambda: next((b for tr in self.browser.find_elements(By.CSS_SELECTOR, f"#{table} tbody tr")
                                         if row_text in tr.text for b in tr.find_elements(By.TAG_NAME, "button")
                                         if b.text == label), None), f"{label} of {row_text}")
        self.browser.execute_script("arguments[0].focus()", button)
        self.browser.switch_to.active_element.send_keys(Keys.ENTER)

    def api_rules(self, who):
        return self.sys.json("GET", "/api/v1/admin/routing-rules", headers=self.auth[who])[2]["rules"]

    def test_institution_admin_manages_its_rules_and_reads_the_rest(self):
        self.open_page("prov")
        self.wait(lambda: self.rows("rule-table"), "the rules listed")
        self.assertTrue(self.by_id("atur-readonly").is_displayed())
        for form in ("holiday-form", "category-form", "template-buttons"):
            self.assertFalse(self.by_id(form).is_displayed(), form)
        self.assertTrue(self.rows("holiday-table") and self.rows("category-table"))
        self.assertEqual(self.browser.find_elements(By.CSS_SELECTOR, "#holiday-table button, #category-table button"), [])
        self.assertEqual(len(self.rows("rule-table")), len(self.api_rules("prov")))
        self.assert_accessible("the administration page of an institution admin at 1280 px")

        # a rule to an institution outside the subtree: the API's refusal beside the field
        Select(self.by_id("rule-category")).select_by_value("KES")
        self.by_id("rule-region").send_keys("21.72")
        self.by_id("rule-institution").send_keys("NASIONAL" + Keys.ENTER)
        self.wait(lambda: self.by_id("rule-institution-error").text, "the error beside the institution")
        self.assertEqual(self.by_id("rule-institution").get_attribute("aria-invalid"), "true")
        self.by_id("rule-institution").clear()
        self.by_id("rule-institution").send_keys("KOTA-21.72.DINSOS" + Keys.ENTER)
        self.wait(lambda: any("KOTA-21.72.DINSOS" in row and "KES" in row for row in self.rows("rule-table")),
                  "the new rule listed")

        # changing where it sends, by keyboard: the form opens focused, Enter saves
        self.press_button("rule-table", "KOTA-21.72.DINSOS", "Ubah")
        self.wait(lambda: self.browser.switch_to.active_element == self.by_id("rule-change-institution"),
                  "the change form focused")
        field = self.by_id("rule-change-institution")
        field.clear()
        field.send_keys("NASIONAL" + Keys.ENTER)
        self.wait(lambda: self.by_id("rule-change-institution-error").text, "the refusal beside the field")
        field.clear()
        field.send_keys("KOTA-21.72.PUPR" + Keys.ENTER)
        self.wait(lambda: self.by_id("rule-change-form").get_attribute("hidden") is not None, "the form closed")
        self.assertEqual(self.browser.switch_to.active_element, self.by_id("rules-heading"))
        self.assertIn(("KES", "21.72", "KOTA-21.72.PUPR"),
                      [(r["category"], r["region"], r["institution"]) for r in self.api_rules("prov")])
        self.wait(lambda: any("KOTA-21.72.PUPR" in row and "KES" in row for row in self.rows("rule-table")),
                  "the changed rule listed")

        self.browser.set_window_size(768, 900)
        self.assert_accessible("the administration page of an institution admin at 768 px")

    def test_national_admin_renames_and_reactivates_a_category_by_keyboard(self):
        category = {"code": "KES.UJI", "parent": "KES", "name": "Uji", "name_en": "Trial"}
        self.assertEqual(self.sys.json("POST", "/api/v1/admin/categories", category, self.auth["nas"])[0], 201)
        self.assertEqual(self.sys.json("POST", "/api/v1/admin/categories/KES.UJI/deactivate", None,
                                       self.auth["nas"])[0], 200)
        self.open_page("nas")
        self.press_button("category-table", "KES.UJI", "Aktifkan lagi")
        self.wait(lambda: any("KES.UJI" in row and "aktif" in row and "nonaktif" not in row
                              for row in self.rows("category-table")), "the category active again")
        self.assertEqual(self.by_id("categories-status").text, "Kategori diaktifkan lagi.")

        self.press_button("category-table", "KES.UJI", "Ganti nama")
        self.wait(lambda: self.browser.switch_to.active_element == self.by_id("category-rename-name"),
                  "the rename form focused")
        self.by_id("category-rename-name").clear()
        self.by_id("category-rename-name-en").clear()
        self.by_id("category-rename-name").send_keys(Keys.ENTER)   # neither name: the error beside the field
        self.wait(lambda: self.by_id("category-rename-name-error").text, "the error beside the name")
        self.assertEqual(self.by_id("category-rename-name").get_attribute("aria-invalid"), "true")
        self.by_id("category-rename-name").send_keys("Uji coba")
        self.by_id("category-rename-name-en").send_keys("Trial run" + Keys.ENTER)
        self.wait(lambda: any("Uji coba" in row and "Trial run" in row for row in self.rows("category-table")),
                  "the new names listed")
        self.assert_accessible("the administration page after a rename")
        categories = self.sys.json("GET", "/api/v1/admin/categories", headers=self.auth["nas"])[2]["categories"]
        self.assertIn(dict(category, name="Uji coba", name_en="Trial run", active=True), categories)

    def test_unit_liaison_is_told_the_page_is_not_theirs(self):
        self.open_page("pupr")
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
