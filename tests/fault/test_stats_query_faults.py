"""Fault test of aduan-stats' query server: two replicas answer the gateway's survey answers and
statistics queries while each in turn is SIGKILLed mid-run. Every HTTP request is answered (the
gateway resends a request that got no reply to the other replica), and the survey holds exactly
as many answers as were acknowledged with 201: a resend of an answer the killed replica had
already stored is recognised by its request id and not stored twice. Bounded in time."""
import os
import threading
import time
import unittest

import msgpack
import zmq

from aduan_harness import System

N_PER_CLIENT = int(os.environ.get("ADUAN_FAULT_STATS_QUERY_REQUESTS", "90"))
CLIENTS = 3
INSTITUTION = "KOTA-21.72.DINSOS"


class StatsQueryFaults(unittest.TestCase):
    def setUp(self):
        self.system = System("stats-query-faults", with_stats=True, stats_replicas=2,
                             gateway_env={"ADUAN_COMMAND_TIMEOUT_MS": "700", "ADUAN_COMMAND_ATTEMPTS": "4"}).start()
        self.failed = True
        self.lock = threading.Lock()
        self.done = 0
        self.created = 0
        self.unanswered = []
        self.system.create_staff("nas", "national_admin", "NASIONAL")
        self.codes = self.system.survey_codes(self.system.login("nas"), INSTITUTION, CLIENTS * N_PER_CLIENT)

    def tearDown(self):
        for replica in self.system.stats_replicas:
            if replica.proc.poll() is not None:
                replica.start()   # so that every process left ends with SIGTERM and exit 0
        self.system.stop(failed=self.failed)

    def client(self, n):
        for i in range(N_PER_CLIENT):
            if i % 3 == 2:
                status, _, doc = self.system.json("GET", f"/api/v1/stats/ikm?institution={INSTITUTION}")
                ok = status == 200 and doc.get("institution") == INSTITUTION
            elif i % 3 == 1:
                status, _, doc = self.system.json("GET", "/api/v1/stats/summary?group_by=channel")
                ok = status == 200 and "groups" in doc
            else:
                answers = [(n + i + k) % 4 + 1 for k in range(9)]
                status, _, doc = self.system.json("POST", "/api/v1/surveys",
                                                  {"institution": INSTITUTION, "code": self.codes[n * N_PER_CLIENT + i],
                                                   "answers": answers})
                ok = status == 201
            with self.lock:
                self.done += 1
                self.created += status == 201
                if not ok:
                    self.unanswered.append((n, i, status, doc))

    def wait_progress(self, fraction):
        self.system.wait_for(lambda: self.done >= fraction * CLIENTS * N_PER_CLIENT, 120,
                             f"{fraction:.0%} of the requests")

    def test_every_request_answered_and_no_answer_stored_twice(self):
        first, second = self.system.stats_replicas
        clients = [threading.Thread(target=self.client, args=(n,)) for n in range(CLIENTS)]
        for t in clients:
            t.start()
        self.wait_progress(0.25)
        first.kill()
        self.wait_progress(0.5)
        first.start()
        self.wait_progress(0.65)
        second.kill()
        for t in clients:
            t.join(300)
        self.assertFalse(any(t.is_alive() for t in clients), "the clients finished")
        self.assertEqual(self.unanswered, [], "every request answered as asked")
        self.assertEqual(self.done, CLIENTS * N_PER_CLIENT)
        self.assertEqual(self.created, CLIENTS * len(range(0, N_PER_CLIENT, 3)))
        self.assertEqual(self.system.db.scalar("SELECT count(*) FROM survey_responses"), str(self.created),
                         "one stored answer per 201, none twice")
        self.assertEqual(self.system.db.scalar("SELECT count(DISTINCT request_id) FROM survey_responses"),
                         str(self.created))
        status, _, doc = self.system.json("GET", f"/api/v1/stats/ikm?institution={INSTITUTION}")
        self.assertEqual((status, doc["respondents"]), (200, self.created))
        self.failed = False

    def send(self, endpoint, envelope):
        """One request to one replica, as the gateway sends it; returns the reply envelope."""
        ctx = zmq.Context.instance()
        sock = self.system.keys.secure(ctx.socket(zmq.DEALER), "gateway", "stats")
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect(endpoint)
        try:
            sock.send(msgpack.packb(envelope))
            self.assertTrue(sock.poll(10000), f"a reply from {endpoint}")
            return msgpack.unpackb(sock.recv())
        finally:
            sock.close()

    def test_a_resend_to_the_other_replica_is_the_same_answer(self):
        """The window a kill must hit (stored, reply lost) made deterministic: the same request id
        reaches both replicas, as the gateway's resend does after losing the first."""
        def body(code):
            return msgpack.packb({"institution": INSTITUTION, "code": code, **{f"u{k}": 4 for k in range(1, 10)}})
        envelope = {"t": "survey.answer", "v": 1, "id": "resent-answer-1", "trace": "resent-answer-1",
                    "at": int(time.time() * 1000), "body": body(self.codes[0])}
        for replica in self.system.stats_replicas:
            reply = self.send(replica.env["ADUAN_STATS_QUERY_BIND"], envelope)
            self.assertEqual(reply["t"], "survey.recorded", reply)
        self.assertEqual(self.system.db.scalar("SELECT count(*) FROM survey_responses"), "1")
        fresh = self.send(self.system.stats.env["ADUAN_STATS_QUERY_BIND"], {**envelope, "id": "resent-answer-2",
                                                                        "body": body(self.codes[1])})
        self.assertEqual(fresh["t"], "survey.recorded", fresh)
        self.assertEqual(self.system.db.scalar("SELECT count(*) FROM survey_responses"), "2", "another id, another answer")
        self.failed = False


if __name__ == "__main__":
    unittest.main(verbosity=2)
