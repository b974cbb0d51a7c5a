"""Security: every ZeroMQ endpoint is CURVE-authenticated against the allow-list, and a command
server runs a message only from a key whose role may send it (DESIGN.md property 10; docs/operations.md
"Keys"). The System runs with keys, as every e2e test does; these tests talk to the services
directly, as a process on the network could."""
import time
import unittest
import uuid

import msgpack
import zmq

from aduan_harness import System, SystemTestCase, valid_report

NO_ANSWER_WAIT_MS = 3000   # the hub beats every second and intake answers in milliseconds


def envelope(kind, body):
    request_id = uuid.uuid4().hex
    return msgpack.packb({"t": kind, "v": 1, "id": request_id, "trace": request_id,
                          "at": int(time.time() * 1000), "body": msgpack.packb(body)})


def submission():
    """A complete report.submit body, as the gateway sends it for POST /api/v1/reports."""
    r = valid_report(title=f"Laporan uji kunci {uuid.uuid4().hex[:8]}")
    return {"idempotency_key": uuid.uuid4().hex, "classification": r["classification"], "title": r["title"],
            "body": r["body"], "category": r["category"], "region": r["region"], "anonymous": False,
            "confidential": False, "reporter_name": r["reporter"]["name"],
            "reporter_email": r["reporter"]["email"], "channel": "api"}


class Curve(SystemTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("curve", with_stats=True).start()
        cls.ctx = zmq.Context.instance()

    def socket(self, kind, key=None, server=None, pair=None):
        """A socket holding the System's key `key` (or another `pair`); plain without either."""
        sock = self.ctx.socket(kind)
        sock.setsockopt(zmq.LINGER, 0)
        if key or pair:
            self.sys.keys.secure(sock, key, server, pair)
        self.addCleanup(sock.close)
        return sock

    def ask(self, endpoint, message, **key):
        """Sends one request; the reply envelope, or None when none came."""
        sock = self.socket(zmq.DEALER, **key)
        sock.connect(endpoint)
        sock.send(message)
        if not sock.poll(NO_ANSWER_WAIT_MS):
            return None
        reply = msgpack.unpackb(sock.recv())
        if reply["t"] == "error":
            reply["error"] = msgpack.unpackb(reply["body"])
        return reply

    def intake(self, **key):
        return self.ask(self.sys.intake.env["ADUAN_INTAKE_BIND"], envelope("report.submit", submission()),
                        server="intake", **key)

    def reports(self):
        return self.sys.db.count("reports")

    def test_the_gateway_key_submits(self):
        """The request the refused ones send is a good one: from the gateway's key it is carried out."""
        before = self.reports()
        reply = self.intake(key="gateway")
        self.assertEqual(reply["t"], "report.receipt", reply)
        self.assertEqual(self.reports(), before + 1)

    def test_a_plain_client_gets_no_answer_and_changes_nothing(self):
        before = self.reports()
        self.assertIsNone(self.ask(self.sys.intake.env["ADUAN_INTAKE_BIND"], envelope("report.submit", submission())))
        self.assertEqual(self.reports(), before)

    def test_an_unknown_key_gets_no_answer_and_changes_nothing(self):
        before = self.reports()
        self.assertIsNone(self.intake(pair=zmq.curve_keypair()))
        self.assertEqual(self.reports(), before)

    def test_analytics_and_service_keys_may_not_command(self):
        before = self.reports()
        for key in ("analytics", "verify"):
            reply = self.intake(key=key)
            self.assertEqual((reply["t"], reply["error"]["code"]), ("error", "forbidden"), key)
        self.assertEqual(self.reports(), before)

    def test_only_the_admin_key_rebuilds_statistics(self):
        endpoint = self.sys.stats.env["ADUAN_STATS_QUERY_BIND"]
        for key in ("gateway", "analytics"):
            reply = self.ask(endpoint, envelope("stats.rebuild", {"requested_by": "uji"}), key=key, server="stats")
            self.assertEqual((reply["t"], reply["error"]["code"]), ("error", "forbidden"), key)

    def replay(self, **key):
        return self.ask(self.sys.replay_endpoint, envelope("stream.replay", {"from": 1, "prefix": "", "max": 100}),
                        server="stats", **key)

    def test_an_analytics_key_subscribes_and_replays(self):
        self.assertEqual(self.intake(key="gateway")["t"], "report.receipt")
        sub = self.socket(zmq.SUB, key="analytics", server="stats")
        sub.setsockopt(zmq.SUBSCRIBE, b"")
        sub.connect(self.sys.stream_endpoint)
        self.assertTrue(sub.poll(NO_ANSWER_WAIT_MS), "the stream reaches an analytics key")
        batch = self.replay(key="analytics")
        self.assertEqual(batch["t"], "stream.batch", batch)
        self.assertGreaterEqual(len(msgpack.unpackb(batch["body"])["events"]), 1)

    def test_the_gateway_key_replays_for_live_updates_and_the_admin_key_may_not(self):
        self.assertEqual(self.intake(key="gateway")["t"], "report.receipt")
        self.assertEqual(self.replay(key="gateway")["t"], "stream.batch")
        reply = self.replay(key="admin")
        self.assertEqual((reply["t"], reply["error"]["code"]), ("error", "forbidden"))

    def test_a_plain_or_unknown_subscriber_gets_nothing(self):
        plain = self.socket(zmq.SUB)
        stranger = self.socket(zmq.SUB, server="stats", pair=zmq.curve_keypair())
        for sub in (plain, stranger):
            sub.setsockopt(zmq.SUBSCRIBE, b"")
            sub.connect(self.sys.stream_endpoint)
        self.assertEqual(self.intake(key="gateway")["t"], "report.receipt")
        self.assertFalse(plain.poll(NO_ANSWER_WAIT_MS), "no heartbeat nor event for a plain SUB")
        self.assertFalse(stranger.poll(100), "nor for an unknown key")
        self.assertIsNone(self.replay(), "and no replay")


if __name__ == "__main__":
    unittest.main(verbosity=2)
