"""End to end: GET tracking answered from the public views the gateway keeps (tracking_cache.h).
A view asked again is answered without intake; a step taken through this gateway is seen by the
very next GET; a step or a photo taken through another gateway is seen once its event reaches this
one, long before the max age (60 s); a reporter's token is never answered from a kept view, and what a
token was shown is never kept for others; an idle gateway drops what it kept."""
import http.client
import json
import re
import time
import unittest

from aduan_harness import Service, System, SystemTestCase, free_port, photo_form, valid_report

SECRET_TITLE = "Rahasia pungli di loket kelurahan"


def get(port, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"null")
    finally:
        conn.close()


def kept_counts(gateway):
    """The gateway's aduan_tracking_cache_total by outcome."""
    _, text = gateway.admin_get("/metrics")
    found = dict(re.findall(r'^aduan_tracking_cache_total\{outcome="(\w+)"\} (\d+)', text, re.M))
    return int(found.get("hit", 0)), int(found.get("miss", 0))


class TrackingCacheTest(SystemTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("trackcache", lifecycle=True, gateway_env={"ADUAN_TRACKING_CACHE_MS": "60000"}).start()
        cls.sys.create_staff("nas", "national_admin", "NASIONAL")
        cls.auth = cls.sys.login("nas")
        cls.other_port = free_port()
        cls.other = Service("aduan-gateway", {**cls.sys.gateway.env, "ADUAN_HTTP_ADDR": f"127.0.0.1:{cls.other_port}",
                                              "ADUAN_ADMIN_ADDR": f"127.0.0.1:{free_port()}"},
                            cls.sys.workdir, name="gateway-other")
        cls.sys.extra.append(cls.other)
        cls.other.start()
        probe = cls.submit()[0]
        cls.sys.wait_for(lambda: cls.answered_from_kept(probe), what="the gateway keeping views (its feed live)")

    @classmethod
    def submit(cls, **overrides):
        status, _, doc = cls.sys.json("POST", "/api/v1/reports", valid_report(**overrides))
        if status != 201:
            raise AssertionError(f"submission answered {status}: {doc}")
        return doc["tracking_id"], doc["reporter_token"]

    @classmethod
    def answered_from_kept(cls, tid):
        before = kept_counts(cls.sys.gateway)[0]
        get(cls.sys.http_port, f"/api/v1/reports/{tid}")
        return kept_counts(cls.sys.gateway)[0] > before

    def kept(self, tid):
        """Once the report's view is answered from what the gateway keeps. Its report.submitted
        event ends a view kept before the gateway heard it, so a hit counts only once the hub has
        numbered (and so published) the event, and only when the next answer, half a second
        later, is a hit too."""
        self.sys.wait_for(lambda: self.sys.db.scalar(
            f"SELECT bool_and(seq IS NOT NULL) FROM events WHERE tracking_id = '{tid}'") == "t",
            timeout=10, what=f"{tid}'s events numbered")

        def twice_from_kept():
            if not self.answered_from_kept(tid):
                return False
            time.sleep(0.5)
            return self.answered_from_kept(tid)
        self.sys.wait_for(twice_from_kept, timeout=10, what=f"{tid} answered from the kept view")

    def view(self, tid, port=None, token=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        status, doc = get(port or self.sys.http_port, f"/api/v1/reports/{tid}", headers)
        self.assertEqual(status, 200, doc)
        return doc

    def test_a_view_asked_again_is_answered_without_intake(self):
        tid, _ = self.submit()

        def three_from_kept():
            """Three more GETs answered as the first without intake (the new report's event may still
            come and end the view: then it is tried again)."""
            first = self.view(tid)
            hits, misses = kept_counts(self.sys.gateway)
            same = all(self.view(tid) == first for _ in range(3))
            return same and kept_counts(self.sys.gateway) == (hits + 3, misses)
        self.sys.wait_for(three_from_kept, timeout=10, what="three answers from the kept view")

    def test_evictions_are_counted_from_zero(self):
        """An operator sizing ADUAN_TRACKING_CACHE_MB reads the evictions; a few views in 16 MB make none."""
        tid, _ = self.submit()
        self.view(tid)
        _, text = self.sys.gateway.admin_get("/metrics")
        self.assertRegex(text, r"(?m)^aduan_tracking_cache_evicted_total 0$")

    def test_a_step_through_this_gateway_is_seen_by_the_next_get(self):
        for _ in range(5):
            tid, _ = self.submit()
            self.kept(tid)
            before = self.view(tid)
            self.assertEqual(before["status"], "waiting_verification")
            status, doc = self.sys.act(tid, self.auth, "verify")
            self.assertEqual(status, 200, doc)
            after = self.view(tid)
            self.assertNotEqual(after["status"], "waiting_verification", after)
            self.assertGreater(len(after["actions"]), len(before["actions"]))

    def test_a_step_through_another_gateway_is_seen_with_its_event(self):
        tid, _ = self.submit()
        self.kept(tid)
        conn = http.client.HTTPConnection("127.0.0.1", self.other_port, timeout=30)
        conn.request("POST", f"/api/v1/reports/{tid}/actions", json.dumps({"action": "verify"}),
                     {"Content-Type": "application/json", **self.auth})
        self.assertEqual(conn.getresponse().status, 200)
        conn.close()
        acted = time.monotonic()
        self.sys.wait_for(lambda: self.view(tid)["status"] != "waiting_verification", timeout=10,
                          what="the step taken through the other gateway")
        self.assertLess(time.monotonic() - acted, 10)   # the max age is 60 s: the event ended the view

    def test_a_photo_through_another_gateway_is_seen_with_its_event(self):
        tid, token = self.submit()
        self.kept(tid)
        self.assertEqual(self.view(tid)["attachment_count"], 0)
        body, headers = photo_form(token)
        conn = http.client.HTTPConnection("127.0.0.1", self.other_port, timeout=30)
        conn.request("POST", f"/api/v1/reports/{tid}/attachments", body, headers)
        self.assertEqual(conn.getresponse().status, 201)
        conn.close()
        added = time.monotonic()
        self.sys.wait_for(lambda: self.view(tid)["attachment_count"] == 1, timeout=10,
                          what="the photo added through the other gateway")
        self.assertLess(time.monotonic() - added, 10)   # the max age is 60 s: report.attachment_added ended the view

    def test_an_event_read_late_ends_every_kept_view(self):
        # A feed that reads an event long after it happened is behind: a step about any report may
        # be waiting, so nothing kept is answered (docs/security.md).
        tid, _ = self.submit()
        other, _ = self.submit()
        self.kept(tid)
        late = self.sys.db.scalar(
            "INSERT INTO events (event_id, type, schema_version, occurred_at, report_id, tracking_id, actor_role, "
            "payload) SELECT md5(random()::text), 'report.notifications_changed', 1, now() - interval '30 seconds', "
            "id, tracking_id, 'reporter', '\\x82a7656e61626c6564c3a86c616e6775616765a26964'::bytea "
            f"FROM reports WHERE tracking_id = '{other}' RETURNING event_id")
        self.sys.wait_for(lambda: self.sys.db.scalar(f"SELECT seq IS NOT NULL FROM events WHERE event_id = '{late}'")
                          == "t", timeout=10, what="the late event numbered")
        # Once the gateway's feed read it, the view is a miss; without the rule it would stay a hit
        # for its max age (60 s), far past the deadline.
        def missed():
            misses = kept_counts(self.sys.gateway)[1]
            self.view(tid)
            return kept_counts(self.sys.gateway)[1] == misses + 1
        self.sys.wait_for(missed, timeout=10, what="the kept view to end after the late event")
        self.kept(tid)   # level again with the next events

    def test_a_reporter_token_is_never_answered_from_or_into_the_kept_view(self):
        tid, token = self.submit(confidential=True, title=SECRET_TITLE)
        own = self.view(tid, token=token)
        self.assertEqual(own["title"], SECRET_TITLE)
        public = self.view(tid)
        self.assertNotIn(SECRET_TITLE, json.dumps(public))
        self.kept(tid)
        self.assertEqual(self.view(tid, token=token)["title"], SECRET_TITLE)
        self.assertNotIn(SECRET_TITLE, json.dumps(self.view(tid)))
        self.assertNotIn(SECRET_TITLE, json.dumps(self.view(tid, port=self.other_port)))

    def test_an_idle_gateway_drops_its_kept_views(self):
        """After a spell with no request (2 s, looked at every second) the views go with the rest
        of the burst's memory: a gateway after a load keeps none of its pages for them."""
        tid, _ = self.submit()
        self.kept(tid)
        busy_until = time.monotonic() + 4
        while time.monotonic() < busy_until:   # requests keep the gateway busy: the view stays
            hits, misses = kept_counts(self.sys.gateway)
            self.view(tid)
            self.assertEqual(kept_counts(self.sys.gateway), (hits + 1, misses), "the view ended while busy")
            time.sleep(0.5)
        time.sleep(6)   # 2 s idle, seen at the loop's next turns (a second each, longer on a busy machine)
        hits, misses = kept_counts(self.sys.gateway)
        self.view(tid)
        self.assertEqual(kept_counts(self.sys.gateway), (hits, misses + 1), "the view was kept while idle")


if __name__ == "__main__":
    unittest.main()
