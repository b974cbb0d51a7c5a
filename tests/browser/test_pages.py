"""The citizens' web pages in a real browser (headless Debian chromium through chromedriver) against
the real services: submitting, tracking and replying with the reporter token, the link of the
notification e-mail, errors beside their fields, the English switch, the map with no tiles, a
360 px phone screen, and axe-core on every page (no serious or critical violation). Also the
serving rules without a browser: precompressed assets, cache headers and the CSP."""
import base64
import datetime
import gzip
import http.client
import json
import os
import re
import struct
import unittest

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service as DriverService
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

import axe_core
from aduan_harness import System, SystemTestCase, free_port, valid_report

HERE = os.path.dirname(os.path.abspath(__file__))
PAGES = os.path.join(HERE, "..", "..", "web", "citizen")
STAFF = {"nas": ("national_admin", "NASIONAL"), "pupr": ("unit_liaison", "KOTA-21.71.PUPR")}


def chromium(width, height=900):
    """Headless Debian chromium through chromedriver, for a test class's browser."""
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}"):
        options.add_argument(argument)
    # What the pages write to their console (errors among it), for a wait that gives up.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.binary_location = "/usr/bin/chromium"
    browser = webdriver.Chrome(service=DriverService("/usr/bin/chromedriver"), options=options)
    browser.set_script_timeout(60)
    return browser


MONTHS_ID = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
             "Oktober", "November", "Desember"]


def last_day_in_words(view):
    """The day a clock's due_at (midnight in Jakarta after its last day) names, in Indonesian words."""
    due = datetime.datetime.fromisoformat(view["deadline"]["due_at"].replace("Z", "+00:00"))
    day = (due - datetime.timedelta(milliseconds=1)).astimezone(datetime.timezone(datetime.timedelta(hours=7)))
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def tiff_gps_app1():
    """An EXIF APP1 segment: Make "aduan-test-camera" and a GPS position (6° 10' 30" S)."""
    def entry(tag, kind, count, value):
        return struct.pack("<HHI", tag, kind, count) + value
    make = b"aduan-test-camera\0"
    ifd0 = struct.pack("<H", 2) + entry(0x010F, 2, len(make), struct.pack("<I", 38)) \
        + entry(0x8825, 4, 1, struct.pack("<I", 56)) + struct.pack("<I", 0)
    gps = struct.pack("<H", 2) + entry(1, 2, 2, b"S\0\0\0") + entry(2, 5, 3, struct.pack("<I", 86)) \
        + struct.pack("<I", 0)
    tiff = b"II*\0" + struct.pack("<I", 8) + ifd0 + make + gps + struct.pack("<6I", 6, 1, 10, 1, 30, 1)
    body = b"Exif\0\0" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def with_gps(jpeg):
    """The JPEG with tiff_gps_app1() right after its SOI marker."""
    assert jpeg[:2] == b"\xff\xd8"
    return jpeg[:2] + tiff_gps_app1() + jpeg[2:]


def multipart(data, filename="foto.jpg", content_type="image/jpeg", field="file"):
    boundary = "aduan" + os.urandom(8).hex()
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
            f"Content-Type: {content_type}\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def catalogue(lang):
    with open(os.path.join(PAGES, f"{lang}.json"), encoding="utf-8") as f:
        return json.load(f)


class BrowserTestCase(SystemTestCase):
    """A system under test driven through one Chromium (cls.browser, cls.base, cls.axe set by the
    subclass's setUpClass): the browser goes with the class, and the page helpers every browser
    test uses."""
    @classmethod
    def tearDownClass(cls):
        try:
            cls.browser.quit()
        finally:
            super().tearDownClass()

    # -- page helpers ---------------------------------------------------------------------------
    def open(self, path):
        self.browser.get(self.base + path)
        self.wait_ready()

    def wait_ready(self):
        WebDriverWait(self.browser, 20).until(
            lambda b: b.execute_script("return document.body && document.body.dataset.ready === 'true'"))

    def wait(self, predicate, what):
        # A page that redraws a list replaces the rows a predicate is reading: ask again.
        try:
            return WebDriverWait(self.browser, 20, ignored_exceptions=(StaleElementReferenceException,)).until(
                lambda b: predicate(), message=what)
        except TimeoutException as timeout:
            # What the page wrote to its console tells a script that failed from a text that was
            # set but not shown (test_console's conflict, once: its answer inside a hidden form).
            console = [entry.get("message") for entry in self.browser.get_log("browser")]
            timeout.msg = f"{timeout.msg}; the page's console: {console}; at {self.browser.current_url}"
            raise

    def by_id(self, element_id):
        return self.browser.find_element(By.ID, element_id)

    def assert_accessible(self, what):
        self.browser.execute_script(self.axe)
        violations = self.browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']})"
            ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,"
            " nodes: v.nodes.map(n => n.target.join(' '))}))), e => done([{id: String(e), impact: 'critical'}]));")
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        self.assertEqual(bad, [], f"axe on {what}")


class PagesTest(BrowserTestCase):
    @classmethod
    def setUpClass(cls):
        # Tiles from a port nobody listens on: the map must degrade, the form keep working.
        cls.tiles = f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png"
        cls.sys = System("browser", lifecycle=True, notify=True, gateway_env={"ADUAN_MAP_TILE_URL": cls.tiles})
        cls.base = f"http://127.0.0.1:{cls.sys.http_port}"
        cls.sys.notify.env["ADUAN_PUBLIC_URL"] = cls.base
        cls.sys.start()
        cls.auth = {}
        for name, (role, institution) in STAFF.items():
            cls.sys.create_staff(name, role, institution)
            cls.auth[name] = cls.sys.login(name)
        cls.axe = axe_core.axe_source()
        cls.browser = chromium(1200)

    def setUp(self):
        self.open("/")
        self.browser.execute_script("localStorage.clear()")
        self.browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def fill_report(self, title="Lampu jalan mati di Jalan Sudirman", email="budi.santoso@example.org"):
        self.by_id("title").send_keys(title)
        self.by_id("body").send_keys("Tiga lampu jalan mati sejak sepekan, jalan gelap dan rawan di malam hari.")
        Select(self.by_id("category")).select_by_value("JALAN.PJU")
        self.by_id("region").send_keys("Kota Batam")
        self.by_id("name").send_keys("Budi Santoso")
        self.by_id("email").send_keys(email)

    def submit_in_browser(self, **fill):
        self.open("/kirim")
        self.fill_report(**fill)
        self.by_id("send").click()
        self.wait(lambda: self.by_id("receipt").is_displayed(), "the receipt")
        return self.by_id("receipt-id").text, self.by_id("receipt-token").text

    def api_view(self, tracking_id, token=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        status, _, doc = self.sys.json("GET", f"/api/v1/reports/{tracking_id}", headers=headers)
        self.assertEqual(status, 200, doc)
        return doc

    def act_ok(self, tracking_id, who, action, **fields):
        status, doc = self.sys.act(tracking_id, self.auth[who], action, **fields)
        self.assertEqual(status, 200, doc)

    # -- serving --------------------------------------------------------------------------------
    def test_serving_headers(self):
        status, headers, raw = self.sys.request("GET", "/", headers={"Accept-Encoding": "gzip"})
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("content-encoding"), "gzip")
        self.assertEqual(headers["vary"], "Accept-Encoding")
        self.assertEqual(headers["cache-control"], "no-cache")
        csp = headers["content-security-policy"]
        self.assertIn("default-src 'self'", csp)
        self.assertIn("script-src 'self';", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertIn("img-src 'self' data: blob: http://127.0.0.1:", csp)
        page = gzip.decompress(raw).decode()
        self.assertNotIn("<script>", page, "no inline script")
        self.assertNotIn("<style", page, "no inline style")
        asset = re.search(r'src="(/assets/[0-9a-f]{16}/common\.js)"', page).group(1)
        status, headers, plain = self.sys.request("GET", asset)
        self.assertEqual(status, 200)
        self.assertNotIn("content-encoding", headers, "no gzip for a client that did not ask")
        self.assertEqual(headers["cache-control"], "public, max-age=31536000, immutable")
        self.assertEqual(headers["content-type"], "text/javascript; charset=utf-8")
        with open(os.path.join(PAGES, "common.js"), "rb") as f:
            self.assertEqual(plain, f.read())
        status, headers, _ = self.sys.request("GET", "/assets/0000000000000000/common.js")
        self.assertEqual((status, headers["cache-control"]), (200, "public, max-age=60"), "an older version's URL")
        status, _, _ = self.sys.request("GET", "/assets/" + asset.split("/")[2] + "/asset-version")
        self.assertEqual(status, 404)
        status, headers, _ = self.sys.request("POST", "/kirim", "x")
        self.assertEqual((status, headers["allow"]), (405, "GET, HEAD"))
        status, _, doc = self.sys.json("GET", "/web-config.json")
        self.assertEqual((status, doc["tile_url"]), (200, self.tiles))
        status, _, _ = self.sys.request("GET", "/api/v1/nothing")
        self.assertEqual(status, 404)

    def canvas_jpeg(self, width, height):
        """A JPEG drawn by the browser (no image library on the test side)."""
        self.open("/")
        url = self.browser.execute_script(
            "const c = document.createElement('canvas'); c.width = arguments[0]; c.height = arguments[1];"
            "const g = c.getContext('2d'); g.fillStyle = '#3a7'; g.fillRect(0, 0, c.width, c.height);"
            "g.fillStyle = '#c22'; g.fillRect(5, 5, c.width / 2, c.height / 2);"
            "return c.toDataURL('image/jpeg', 0.9);", width, height)
        return base64.b64decode(url.split(",", 1)[1])

    def upload(self, tracking_id, token, data, **kwargs):
        body, headers = multipart(data, **kwargs)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        status, _, raw = self.sys.request("POST", f"/api/v1/reports/{tracking_id}/attachments", body, headers)
        return status, json.loads(raw) if raw else None

    # -- the attachment endpoint ----------------------------------------------------------------
    def test_attachments_are_cleaned_counted_and_kept_private(self):
        photo = with_gps(self.canvas_jpeg(3000, 1000))
        self.assertIn(b"aduan-test-camera", photo)
        status, _, doc = self.sys.json("POST", "/api/v1/reports", valid_report(confidential=True))
        self.assertEqual(status, 201, doc)
        tid, token = doc["tracking_id"], doc["reporter_token"]
        self.assertEqual(self.upload(tid, None, photo)[0], 404, "no token, no upload")
        self.assertEqual(self.upload(tid, "x" * 43, photo)[0], 404, "a wrong token neither")
        status, doc = self.upload(tid, token, photo, filename="bukan.pdf", content_type="application/pdf")
        self.assertEqual(status, 201, doc)
        self.assertEqual((doc["number"], doc["media_type"], doc["width"], doc["height"]), (1, "image/jpeg", 2048, 683))
        auth = {"Authorization": f"Bearer {token}"}
        status, headers, stored = self.sys.request("GET", f"/api/v1/reports/{tid}/attachments/1", headers=auth)
        self.assertEqual((status, headers["content-type"]), (200, "image/jpeg"))
        self.assertEqual(stored[:3], b"\xff\xd8\xff")
        self.assertNotIn(b"Exif", stored)
        self.assertNotIn(b"aduan-test-camera", stored)
        self.assertNotIn(b"\xff\xe1", stored[:64], "no APP1 segment")
        status, _, thumbnail = self.sys.request("GET", f"/api/v1/reports/{tid}/attachments/1?size=thumbnail",
                                                headers=auth)
        self.assertEqual(status, 200)
        self.assertLess(len(thumbnail), len(stored))
        # A confidential report's files: the public gets what it gets for no file at all.
        for headers in ({}, {"Authorization": "Bearer " + "x" * 43}):
            status, _, raw = self.sys.request("GET", f"/api/v1/reports/{tid}/attachments/1", headers=headers)
            self.assertEqual(status, 404)
            self.assertNotIn(b"\xff\xd8", raw)
        # Staff see it with ?as=staff and a session of theirs in scope; a session is not a reporter token.
        status, _, _ = self.sys.request("GET", f"/api/v1/reports/{tid}/attachments/1?as=staff", headers=self.auth["nas"])
        self.assertEqual(status, 200, "a national admin")
        status, _, _ = self.sys.request("GET", f"/api/v1/reports/{tid}/attachments/1?as=staff", headers=self.auth["pupr"])
        self.assertEqual(status, 404, "a unit the report has not reached")
        status, _, _ = self.sys.request("GET", f"/api/v1/reports/{tid}/attachments/1", headers=self.auth["nas"])
        self.assertEqual(status, 404, "a session sent as a reporter token")
        status, _, _ = self.sys.request("GET", f"/api/v1/reports/{tid}/attachments/1?as=staff", headers=auth)
        self.assertEqual(status, 401, "a reporter token is no session")
        self.assertEqual(self.api_view(tid, token)["attachment_count"], 1)
        self.assertEqual(self.api_view(tid)["attachment_count"], 0, "the count of a hidden report's files is hidden")
        # The real type decides: an SVG or a script named .jpg is refused, a PDF kept as sent.
        status, doc = self.upload(tid, token, b"<svg xmlns='http://www.w3.org/2000/svg'/>")
        self.assertEqual((status, doc["errors"][0]["field"]), (422, "file"))
        pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
        status, doc = self.upload(tid, token, pdf, filename="surat.pdf", content_type="application/pdf")
        self.assertEqual((status, doc["media_type"]), (201, "application/pdf"))
        status, headers, raw = self.sys.request("GET", f"/api/v1/reports/{tid}/attachments/2", headers=auth)
        self.assertEqual((status, raw, headers["content-disposition"]), (200, pdf, "attachment"))
        for _ in range(3):
            self.assertEqual(self.upload(tid, token, pdf)[0], 201)
        status, doc = self.upload(tid, token, pdf)
        self.assertEqual((status, doc["errors"][0]["code"]), (422, "out_of_range"), "at most five")
        # Size: refused up front from Content-Length, before 10 MB are read.
        conn = http.client.HTTPConnection("127.0.0.1", self.sys.http_port, timeout=30)
        conn.putrequest("POST", f"/api/v1/reports/{tid}/attachments")
        for name, value in {**multipart(b"")[1], **auth, "Content-Length": str(11 * 1024 * 1024)}.items():
            conn.putheader(name, value)
        conn.endheaders()
        self.assertEqual(conn.getresponse().status, 413)
        conn.close()

    def test_a_public_reports_photo_is_public(self):
        status, _, doc = self.sys.json("POST", "/api/v1/reports", valid_report())
        tid, token = doc["tracking_id"], doc["reporter_token"]
        status, doc = self.upload(tid, token, self.canvas_jpeg(200, 100), field="file")
        self.assertEqual(status, 201, doc)
        status, headers, raw = self.sys.request("GET", f"/api/v1/reports/{tid}/attachments/1")
        self.assertEqual((status, headers["content-type"], raw[:2]), (200, "image/jpeg", b"\xff\xd8"))
        self.assertEqual(self.api_view(tid)["attachment_count"], 1)
        self.assertEqual(self.sys.request("GET", f"/api/v1/reports/{tid}/attachments/2")[0], 404)
        self.assertEqual(self.sys.request("GET", f"/api/v1/reports/{tid}/attachments/9")[0], 404)

    # -- pages ----------------------------------------------------------------------------------
    def test_submit_track_and_reply(self):
        photo_path = os.path.join(self.sys.workdir, "foto-dengan-gps.jpg")
        with open(photo_path, "wb") as f:
            f.write(with_gps(self.canvas_jpeg(1600, 1200)))
        self.open("/kirim")
        self.wait(lambda: self.by_id("map-state").text == catalogue("id")["submit.tiles_unavailable"],
                  "the map saying its tiles are unavailable")
        self.assert_accessible("the submission form")
        self.by_id("map").click()
        self.wait(lambda: self.by_id("lat").get_attribute("value"), "a pin from a click on the map")
        self.fill_report()
        self.by_id("files").send_keys(photo_path)
        self.by_id("send").click()
        self.wait(lambda: self.by_id("receipt").get_attribute("data-uploaded") == "true", "the receipt and the upload")
        self.assert_accessible("the receipt")
        tracking_id, token = self.by_id("receipt-id").text, self.by_id("receipt-token").text
        sent = self.browser.find_elements(By.CSS_SELECTOR, "#upload-status li")
        self.assertEqual([li.get_attribute("data-sent") for li in sent], ["true"], sent[0].text if sent else "")
        status, _, stored = self.sys.request("GET", f"/api/v1/reports/{tracking_id}/attachments/1",
                                             headers={"Authorization": f"Bearer {token}"})
        self.assertEqual(status, 200)
        self.assertNotIn(b"Exif", stored, "the stored photo has no EXIF")
        self.assertNotIn(b"aduan-test-camera", stored)
        self.assertNotIn(b"\xff\xe1", stored[:64], "no APP1 segment")
        mine = self.api_view(tracking_id, token)
        self.assertTrue(mine["reporter_view"])
        self.assertEqual(mine["region"], "21.71", "the region typed by name is sent as its code")
        self.assertEqual(mine["reporter"]["email"], "budi.santoso@example.org")
        self.assertIn("lat", mine["location"])

        # The receipt e-mail's link opens the report's page; this browser remembers the token.
        mail = self.sys.wait_for(lambda: [m for m in self.sys.mail.messages()
                                          if tracking_id in (m["subject"] or "")], 30, "the receipt mail")[0]
        text = self.sys.mail.message(mail).get_body(("plain",)).get_content()
        link = re.search(r"(http://\S+/lapor/" + tracking_id + ")", text).group(1)
        self.assertEqual(link, f"{self.base}/lapor/{tracking_id}")
        self.browser.get(link)
        self.wait_ready()
        self.assertTrue(self.by_id("reporter-part").is_displayed())
        self.assertEqual(self.by_id("status").text, catalogue("id")["bucket.not_yet_verified"])
        self.assert_accessible("the reporter's view")
        self.assertEqual(self.by_id("deadline").text, "Diverifikasi paling lambat " + last_day_in_words(mine))
        self.wait(lambda: self.browser.execute_script(
            "const i = document.querySelector('#files img'); return i && i.complete && i.naturalWidth > 0"),
            "the photo's thumbnail")

        self.act_ok(tracking_id, "nas", "verify")
        self.sys.wait_for(lambda: self.api_view(tracking_id)["status"] == "dispatched", 20, "dispatched")
        self.act_ok(tracking_id, "pupr", "follow_up", note="Lampu diganti hari Kamis.")
        self.browser.refresh()
        self.wait_ready()
        self.assertIn("Lampu diganti hari Kamis.", self.by_id("steps").text)
        self.assertIn("Dinas Pekerjaan Umum", self.by_id("institution").text, "the holder by name")
        self.assertTrue(self.by_id("reply-part").is_displayed())
        self.assert_accessible("the reply form")
        self.by_id("reply-note").send_keys("Terima kasih, sudah menyala.")
        self.by_id("reply-form").find_element(By.TAG_NAME, "button").click()
        self.wait(lambda: "Terima kasih, sudah menyala." in self.by_id("steps").text, "the reply in the steps")
        self.assertEqual(self.api_view(tracking_id)["status"], "reporter_replied")

        # Without the token (another browser): the public view, with the token form.
        self.browser.execute_script("localStorage.clear()")
        self.browser.refresh()
        self.wait_ready()
        self.assertFalse(self.by_id("reporter-part").is_displayed())
        self.assertFalse(self.by_id("reply-part").is_displayed())
        self.assertTrue(self.by_id("token-part").is_displayed())
        self.assertNotIn("budi.santoso@example.org", self.browser.page_source)
        self.assert_accessible("the public view")
        self.by_id("token").send_keys("not-the-token-of-this-report-at-all-000000")
        self.by_id("token-form").find_element(By.TAG_NAME, "button").click()
        self.wait(lambda: self.by_id("token-error").text == catalogue("id")["error.wrong_token"], "a wrong token refused")
        self.by_id("token").clear()
        self.by_id("token").send_keys(token)
        self.by_id("token-form").find_element(By.TAG_NAME, "button").click()
        self.wait(lambda: self.by_id("reporter-part").is_displayed(), "the reporter's view with the typed token")

        # Closed: the reporter rates the service, once (U8 complaint handling, U9 facilities).
        self.act_ok(tracking_id, "nas", "close", reason_code="resolved")
        self.browser.refresh()
        self.wait_ready()
        self.assertEqual(self.by_id("status").text, catalogue("id")["bucket.completed"])
        self.assertEqual(self.browser.find_element(By.CSS_SELECTOR, "label[for=u8]").text, catalogue("id")["survey.u8"])
        self.assert_accessible("the survey")
        Select(self.by_id("u8")).select_by_value("4")
        Select(self.by_id("u9")).select_by_value("2")
        self.by_id("survey-form").find_element(By.TAG_NAME, "button").click()
        self.wait(lambda: catalogue("id")["survey.thanks"] in self.by_id("survey-part").text, "thanks for the rating")
        status, _, doc = self.sys.json("POST", f"/api/v1/reports/{tracking_id}/survey", {"answers": [4] * 9},
                                       {"Authorization": f"Bearer {token}"})
        self.assertEqual(status, 409, "the page's answer was recorded")

    def test_confidential_content_and_photo_stay_hidden(self):
        tracking_id, token = self.submit_confidential()
        status, doc = self.upload(tracking_id, token, self.canvas_jpeg(300, 200))
        self.assertEqual(status, 201, doc)
        self.open(f"/lapor/{tracking_id}")
        self.assertTrue(self.by_id("hidden-content").is_displayed())
        self.assertNotIn("Rahasia: pungutan liar", self.browser.page_source)
        self.assertFalse(self.by_id("files-part").is_displayed())
        # The page asks for the photo the way a curious visitor would: refused.
        status = self.browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch('/api/v1/reports/' + arguments[0] + '/attachments/1').then(r => done(r.status), () => done(0));",
            tracking_id)
        self.assertEqual(status, 404)
        # Its reporter sees it.
        self.browser.execute_script("localStorage.setItem('aduan.token.' + arguments[0], arguments[1])", tracking_id, token)
        self.open(f"/lapor/{tracking_id}")
        self.wait(lambda: self.browser.execute_script(
            "const i = document.querySelector('#files img'); return i && i.complete && i.naturalWidth > 0"),
            "the reporter's own photo")
        self.assert_accessible("a confidential report's page with its photo")

    def submit_confidential(self):
        status, _, doc = self.sys.json("POST", "/api/v1/reports",
                                       valid_report(confidential=True, title="Rahasia: pungutan liar"))
        self.assertEqual(status, 201, doc)
        return doc["tracking_id"], doc["reporter_token"]

    def test_adding_data_when_asked(self):
        tracking_id, token = self.submit_in_browser(title="Saluran air tersumbat di Batu Aji")
        self.act_ok(tracking_id, "nas", "postpone", reason_code="unclear_location", note="Di RT berapa tepatnya?")
        self.open(f"/lapor/{tracking_id}")
        self.assertEqual(self.by_id("reply-heading").text, catalogue("id")["track.add_data_heading"])
        self.assertIn("Di RT berapa tepatnya?", self.by_id("steps").text)
        self.by_id("reply-note").send_keys("RT 03 RW 05, dekat masjid.")
        self.by_id("reply-form").find_element(By.TAG_NAME, "button").click()
        self.wait(lambda: "RT 03 RW 05" in self.by_id("steps").text, "the added data in the steps")
        self.assertEqual(self.api_view(tracking_id)["status"], "waiting_verification")
        self.assertTrue(token)

    def test_keyboard_alone(self):
        """From the home page to a report's page with the keyboard only."""
        tracking_id, _ = self.submit_confidential()
        self.open("/")
        body = self.browser.find_element(By.TAG_NAME, "body")
        body.click()
        for _ in range(12):
            active = self.browser.switch_to.active_element
            if active.get_attribute("id") == "tracking-id":
                break
            active.send_keys(Keys.TAB)
        self.assertEqual(self.browser.switch_to.active_element.get_attribute("id"), "tracking-id")
        self.browser.switch_to.active_element.send_keys(tracking_id + Keys.ENTER)
        self.wait(lambda: "/lapor/" in self.browser.current_url, "the report's page")
        self.wait_ready()
        self.assertEqual(self.by_id("tracking-id").text, tracking_id)

    def test_errors_beside_their_fields(self):
        self.open("/kirim")
        self.by_id("title").send_keys("abc")
        Select(self.by_id("category")).select_by_value("JALAN.PJU")
        self.by_id("region").send_keys("Kota Batam")
        self.by_id("email").send_keys("bukan-email")
        self.by_id("send").click()
        self.wait(lambda: self.by_id("title-error").text, "the title's error")
        ids = catalogue("id")
        self.assertEqual(self.by_id("title-error").text, ids["error.too_short"])
        self.assertEqual(self.by_id("body-error").text, ids["error.required"])
        self.assertTrue(self.by_id("email-error").text)
        self.assertEqual(self.by_id("title").get_attribute("aria-invalid"), "true")
        self.assertEqual(self.by_id("category-error").text, "")
        self.assert_accessible("the form with errors")

    def test_english_switch(self):
        self.open("/")
        self.assertEqual(self.browser.find_element(By.TAG_NAME, "h1").text, catalogue("id")["home.heading"])
        self.assert_accessible("the home page")
        self.by_id("lang-switch").click()
        self.wait(lambda: self.browser.execute_script("return document.documentElement.lang") == "en"
                  and self.browser.execute_script("return document.body.dataset.ready === 'true'"), "English")
        self.assertEqual(self.browser.find_element(By.TAG_NAME, "h1").text, catalogue("en")["home.heading"])
        self.assert_accessible("the home page in English")
        self.open("/kirim")
        self.assertEqual(self.browser.find_element(By.TAG_NAME, "h1").text, catalogue("en")["submit.heading"])
        self.by_id("lang-switch").click()
        self.wait(lambda: self.browser.execute_script("return document.documentElement.lang") == "id", "back")

    def test_home_finds_a_report_and_says_when_none(self):
        tracking_id, _ = self.submit_confidential()
        self.open("/")
        self.by_id("tracking-id").send_keys(tracking_id.lower().replace("-", ""))
        self.by_id("track-form").find_element(By.TAG_NAME, "button").click()
        self.wait(lambda: self.browser.current_url.endswith("/lapor/" + tracking_id.lower().replace("-", "").upper()),
                  "the report's page")
        self.wait_ready()
        self.assertEqual(self.by_id("tracking-id").text, tracking_id)
        self.open("/lapor/ZZZZ-ZZZZ-ZZZZ")
        self.assertEqual(self.by_id("load-error").text, catalogue("id")["track.not_found"])
        self.assert_accessible("an unknown report")

    def test_phone_screen(self):
        self.browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                     {"width": 360, "height": 740, "deviceScaleFactor": 2, "mobile": True})
        tracking_id, _ = self.submit_in_browser(title="Trotoar rusak di Nagoya")
        for path in ("/", "/kirim", f"/lapor/{tracking_id}"):
            self.open(path)
            width = self.browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
            self.assertLessEqual(width[0], width[1], f"{path} scrolls sideways on 360 px")
            self.assert_accessible(f"{path} on 360 px")


if __name__ == "__main__":
    unittest.main()
