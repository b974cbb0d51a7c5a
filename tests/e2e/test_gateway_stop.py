"""End to end: the gateway's stop (docs/architecture.md, "Stopping"). After SIGTERM, while a
submission still waits for an intake paused with SIGSTOP, a client that connects anew is answered
503 with Retry-After and Connection: close, as one on an open connection is; the waiting submission
gets its 201 once intake goes on, and the gateway exits 0. libmicrohttpd's quiesce, which the stop
used to call, left new connections unanswered in the listen queue and raced its own epoll workers
(an abort, "Failed to remove listen FD from epoll set", seen in e2e_reports)."""
import asyncio
import os
import signal
import unittest

from aduan_harness import System, SystemTestCase
from test_waiting_requests import Client, submit

GATEWAY = {"ADUAN_HTTP_THREADS": "2", "ADUAN_COMMAND_TIMEOUT_MS": "5000", "ADUAN_LOG_LEVEL": "warn"}


class GatewayStopTest(SystemTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sys = System("gwstop", gateway_env=GATEWAY).start()

    async def stop_while_one_waits(self):
        port = self.sys.http_port
        waiting, kept = Client(port), Client(port)
        await waiting.open()
        await kept.open()
        self.assertEqual((await kept.call("GET", "/api/v1/openapi.json"))[0], 200)
        intake = self.sys.intake.proc.pid
        os.kill(intake, signal.SIGSTOP)
        try:
            pending = asyncio.ensure_future(submit(waiting, "Lampu jalan padam saat gateway berhenti"))
            await asyncio.sleep(0.5)
            self.sys.gateway.proc.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.5)
            self.assertIsNone(self.sys.gateway.proc.poll(), "the gateway stopped with a request waiting")
            fresh = Client(port)
            await asyncio.wait_for(fresh.open(), 3)
            status, headers, _ = await asyncio.wait_for(fresh.call("GET", "/api/v1/openapi.json"), 3)
            self.assertEqual((status, headers.get("retry-after"), headers.get("connection")), (503, "2", "close"))
            status, headers, _ = await asyncio.wait_for(kept.call("GET", "/api/v1/openapi.json"), 3)
            self.assertEqual((status, headers.get("connection")), (503, "close"))
            fresh.close()
        finally:
            os.kill(intake, signal.SIGCONT)
        status, _, raw = await asyncio.wait_for(pending, 10)
        self.assertEqual(status, 201, raw)
        waiting.close()
        kept.close()

    def test_new_connections_are_refused_and_the_waiting_answered_while_stopping(self):
        asyncio.run(self.stop_while_one_waits())
        self.assertEqual(self.sys.gateway.proc.wait(15), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
