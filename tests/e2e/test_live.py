"""End to end: the live updates (GET /api/v1/live, /api/v1/live/public, Server-Sent Events).
Each viewer is told only of reports in their scope, never content nor the reporter; a reconnect
with Last-Event-ID gets exactly what was missed; a deactivated member's stream ends."""
import http.client
import json
import queue
import threading
import time
import unittest

from aduan_harness import System, SystemTestCase, valid_report

STAFF = {
    "nas": ("national_admin", "NASIONAL"),
    "kota": ("institution_admin", "KOTA-21.71"),
    "tpi": ("institution_admin", "KOTA-21.72"),
    "pupr": ("unit_liaison", "KOTA-21.71.PUPR"),
}
# what the confidential report says and who sent it: never in any stream
SECRET_TITLE = "Rahasia pungli di kantor camat"
SECRET_BODY = "Pegawai meminta uang tambahan untuk KTP, bukti rekaman ada pada saya."
REPORTER = {"name": "Budi Santoso Pelapor", "email": "budi.pelapor@example.org", "phone": "+62 812-7000-9999"}


class Stream:
    """One SSE connection read on a thread of its own: events (dicts) into a queue, None at its end;
    every byte kept in `raw`."""

    def __init__(self, port, path, headers=None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.conn.request("GET", path, headers=headers or {})
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.headers = dict(self.response.getheaders())
        self.events = queue.Queue()
        self.raw = b""
        if self.status == 200:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        event = {}
        try:
            while True:
                line = self.response.readline()
                if not line:
                    break
                self.raw += line
                line = line.decode("utf-8").rstrip("\n")
                if not line:
                    if "event" in event:
                        self.events.put(event)
                    event = {}
                elif not line.startswith(":") and ":" in line:
                    key, value = line.split(":", 1)
                    event[key] = value[1:] if value.startswith(" ") else value
        except (OSError, ValueError, AttributeError):   # AttributeError: closed by close()
            pass
        self.events.put(None)

    def _collect(self, timeout, predicate):
        """Events within `timeout` seconds, up to the stream's end or the first that matches; and
        whether one matched."""
        got, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            got.append(event)
            if event is None:
                break
            if predicate(event):
                return got, True
        return got, False

    def take(self, timeout):
        """The events that came within `timeout` seconds (stops early at the stream's end)."""
        return self._collect(timeout, lambda e: False)[0]

    def wait_for(self, predicate, timeout=20):
        """Events until one matches (returned last); AssertionError after timeout."""
        got, matched = self._collect(timeout, predicate)
        if not matched:
            raise AssertionError(f"no matching event within {timeout} s; got {got}")
        return got

    def close(self):
        self.conn.close()


def about(tid):
    return lambda e: e.get("event") == "report" and json.loads(e["data"])["report"] == tid


def reports_in(events):
    return [json.loads(e["data"])["report"] for e in events if e and e.get("event") == "report"]


def in_kota(institution):
    """Whether an institution is in KOTA-21.71's subtree (codes of units extend their parent's)."""
    return institution is not None and (institution == "KOTA-21.71" or institution.startswith("KOTA-21.71."))


class LiveTest(SystemTestCase):
    @classmethod
    def setUpClass(cls):
        # a heartbeat longer than the idle time-out: a waiting stream must not be cut for silence
        cls.sys = System("live", lifecycle=True, gateway_env={"ADUAN_LIVE_HEARTBEAT_S": "2",
                                                              "ADUAN_HTTP_IDLE_TIMEOUT_S": "1",
                                                              "ADUAN_LIVE_BACKLOG": "12"}).start()
        for name, (role, institution) in STAFF.items():
            cls.sys.create_staff(name, role, institution)
        cls.auth = {name: cls.sys.login(name) for name in STAFF}
        cls.sys.wait_for(cls.feed_ready, what="the live feed")

    @classmethod
    def feed_ready(cls):
        probe = Stream(cls.sys.http_port, "/api/v1/live/public")
        probe.close()
        return probe.status == 200

    def open(self, who=None, last_id=None):
        headers = dict(self.auth[who]) if who else {}
        if last_id is not None:
            headers["Last-Event-ID"] = str(last_id)
        stream = Stream(self.sys.http_port, "/api/v1/live" if who else "/api/v1/live/public", headers)
        self.addCleanup(stream.close)
        self.assertEqual(stream.status, 200)
        return stream

    def submit(self, **overrides):
        status, _, doc = self.sys.json("POST", "/api/v1/reports", valid_report(**overrides))
        self.assertEqual(status, 201, doc)
        return doc["tracking_id"]

    def test_a_report_reaches_only_the_staff_in_scope_and_never_its_content(self):
        kota, tpi, public = self.open("kota"), self.open("tpi"), self.open()
        self.assertEqual(kota.headers.get("Content-Type"), "text/event-stream; charset=utf-8")
        self.assertEqual(kota.headers.get("X-Accel-Buffering"), "no")
        secret = self.submit(target_institution="KOTA-21.71", confidential=True, title=SECRET_TITLE,
                             body=SECRET_BODY, reporter=REPORTER)
        seen = kota.wait_for(about(secret))
        data = json.loads(seen[-1]["data"])
        self.assertEqual((data["type"], data["institution"]), ("report.submitted", "KOTA-21.71"))
        self.assertEqual(seen[-1]["id"], str(data["seq"]))
        other = self.submit(target_institution="KOTA-21.72")
        tpi_events = tpi.wait_for(about(other))
        self.assertNotIn(secret, reports_in(tpi_events))
        self.assertNotIn(other, reports_in(kota.take(1.5)))
        # the public is told the figures changed for the open report only, with no tracking id
        figures = public.wait_for(lambda e: e.get("event") == "figures" and e["id"] == tpi_events[-1]["id"])
        self.assertNotIn(seen[-1]["id"], [e["id"] for e in figures if e])
        # verifying the confidential one: its staff hear of it, still without its content
        self.assertEqual(self.sys.act(secret, self.auth["kota"], "verify")[0], 200)
        kota.wait_for(lambda e: about(secret)(e) and json.loads(e["data"])["type"] == "report.verified")
        time.sleep(1.5)
        for stream in (kota, tpi, public):
            for text in (SECRET_TITLE, SECRET_BODY, *REPORTER.values(), "Pungli", "rekaman"):
                self.assertNotIn(text.encode(), stream.raw)
        self.assertNotIn(secret.encode(), public.raw)

    def test_a_transfer_is_announced_to_the_institution_that_gave_the_report_away(self):
        kota, tpi = self.open("kota"), self.open("tpi")
        tid = self.submit(target_institution="KOTA-21.71")
        self.assertEqual(self.sys.act(tid, self.auth["kota"], "verify")[0], 200)
        kota.wait_for(lambda e: about(tid)(e) and json.loads(e["data"])["status"] == "dispatched")
        status, doc = self.sys.act(tid, self.auth["kota"], "transfer", institution="KOTA-21.72",
                                   reason_code="other_institution")
        self.assertEqual(status, 200, doc)
        for stream in (kota, tpi):   # the giver's desk drops it, the new holder's desk shows it
            data = json.loads(stream.wait_for(about(tid))[-1]["data"])
            while data["type"] != "report.transferred":
                data = json.loads(stream.wait_for(about(tid))[-1]["data"])
            self.assertEqual((data["institution"], data["status"]), ("KOTA-21.72", "transferred"))
        # after the transfer, what the new holder does is no longer the giver's to hear of
        self.assertEqual(self.sys.act(tid, self.auth["tpi"], "dispatch", institution="KOTA-21.72.SATPOLPP")[0], 200)
        tpi.wait_for(lambda e: about(tid)(e) and json.loads(e["data"])["type"] == "report.dispatched")
        self.assertEqual([e for e in kota.take(1.5) if e and about(tid)(e)], [])

    def test_a_reconnect_gets_exactly_the_missed_events(self):
        nas, kota = self.open("nas"), self.open("kota")
        first = self.submit(target_institution="KOTA-21.71")
        last_id = kota.wait_for(about(first))[-1]["id"]
        kota.close()
        missed = [self.submit(target_institution="KOTA-21.71"), self.submit(target_institution="KOTA-21.72"),
                  self.submit(target_institution="KOTA-21.71.PUPR")]
        everything = nas.wait_for(about(missed[-1]))
        back = self.open("kota", last_id=last_id)
        resumed = back.wait_for(about(missed[-1]))
        expected = [e["id"] for e in everything if e and int(e["id"]) > int(last_id)
                    and in_kota(json.loads(e["data"])["institution"])]
        self.assertEqual([e["id"] for e in resumed], expected)
        self.assertEqual([tid for tid in reports_in(resumed) if tid in missed], [missed[0], missed[2]])
        self.assertEqual([e for e in back.take(1.5) if e and e.get("event") == "report"], [])

    def test_too_far_behind_is_told_to_reload(self):
        nas = self.open("nas")
        for _ in range(14):   # more than ADUAN_LIVE_BACKLOG
            last = self.submit()
        nas.wait_for(about(last))
        stream = self.open("nas", last_id=0)
        got = stream.wait_for(lambda e: e.get("event") == "reload")
        self.assertEqual([e for e in got if e.get("event") == "report"], [])
        stream.wait_for(about(self.submit()))

    def test_a_deactivated_members_stream_ends(self):
        self.sys.create_staff("sementara", "unit_liaison", "KOTA-21.71.PUPR")
        self.auth["sementara"] = self.sys.login("sementara")
        stream = self.open("sementara")
        stream.wait_for(about(self.submit(target_institution="KOTA-21.71.PUPR")))
        status, _, doc = self.sys.json("POST", "/api/v1/staff/sementara/deactivate", headers=self.auth["kota"])
        self.assertEqual(status, 200, doc)
        got = stream.take(5)
        self.assertEqual(got[-2:], [{"event": "end", "data": "{}"}, None])
        again = Stream(self.sys.http_port, "/api/v1/live", self.auth["sementara"])
        self.assertEqual(again.status, 401)

    def test_a_quiet_stream_stays_open_with_keep_alive_comments(self):
        stream = self.open("tpi")
        self.assertNotIn(None, stream.take(5))   # not ended (None) in 2.5 heartbeats, 5 idle time-outs
        self.assertGreaterEqual(stream.raw.count(b": keep-alive\n\n"), 2)
        metrics = self.sys.gateway.admin_get("/metrics")[1]
        self.assertRegex(metrics, r"(?m)^aduan_live_streams [1-9]")

    def test_signed_out_or_unsigned_is_refused(self):
        self.assertEqual(Stream(self.sys.http_port, "/api/v1/live").status, 401)
        self.assertEqual(self.sys.request("POST", "/api/v1/live/public")[0], 405)


if __name__ == "__main__":
    unittest.main()
