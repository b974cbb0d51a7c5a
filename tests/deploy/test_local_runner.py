"""The local runner (deploy/run-local.sh) supervises: each service SIGKILLed in turn comes back by
itself with a line in the runner's log, and a report submitted after each comeback is stored and
its e-mail reaches the mail sink; `run-local.sh restart NAME` restarts one service; Ctrl-C (SIGINT
to the process group) stops everything. Runs a whole local system in a temporary folder on a
free block of ports, from the build being tested."""
import json
import os
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.request

from aduan_harness import free_port_block, valid_report

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUNNER = os.path.join(TOP, "deploy", "run-local.sh")
BUILD = os.path.dirname(os.environ["ADUAN_BIN_DIR"])
SERVICES = ["stats", "intake", "verify", "route", "notify", "federate", "gateway"]
ADMIN_OFFSET = {"gateway": 0, "intake": 1, "verify": 2, "route": 3, "notify": 4, "stats": 6, "federate": 7}
PORT_OFFSETS = [0, 1, 2, 3, 4, 6, 7, 11, 12, 13, 14, 15, 20, 21, 25, 80]


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class LocalRunner(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="aduan-runner-")
        self.state = os.path.join(self.dir, "state")
        self.base = free_port_block(PORT_OFFSETS)
        self.env = dict(os.environ, ADUAN_LOCAL_DIR=self.state, ADUAN_LOCAL_BUILD=BUILD,
                        ADUAN_LOCAL_PORT_BASE=str(self.base))
        for name in list(self.env):
            if name.startswith("ADUAN_") and not name.startswith("ADUAN_LOCAL_"):
                del self.env[name]   # the runner's own defaults, not the test suite's settings
        self.output = open(os.path.join(self.dir, "runner.out"), "w+")
        self.runner = subprocess.Popen([RUNNER], env=self.env, stdout=self.output, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        self.addCleanup(self.stop_runner)
        wait_for(lambda: "aduan is running." in self.runner_output() or self.runner.poll() is not None, 180,
                 "the local system to start")
        self.assertIsNone(self.runner.poll(), self.runner_output())
        self.sent = 0

    def runner_output(self):
        self.output.flush()
        with open(self.output.name) as f:
            return f.read()

    def stop_runner(self):
        if self.runner.poll() is None:
            os.kill(self.runner.pid, signal.SIGTERM)
            try:
                self.runner.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.runner.pid, signal.SIGKILL)
                self.runner.wait()
        self.output.close()
        subprocess.run([os.path.join(TOP, "tests", "harness", "pg_cluster.sh"), "destroy",
                        os.path.join(self.state, "pg")], check=False, capture_output=True)

    def pid(self, name):
        with open(os.path.join(self.state, "run", f"{name}.pid")) as f:
            return int(f.read())

    def ready(self, name):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.base + ADMIN_OFFSET[name]}/readyz", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def alive(self, pid):
        try:
            os.kill(pid, 0)
            return True
        except ProcessLookupError:
            return False

    def submit_and_check(self):
        """One report through the gateway: stored (the public tracking view finds it) and mailed."""
        self.sent += 1
        email = f"pelapor{self.sent}@example.org"
        body = json.dumps(valid_report(reporter={"name": "Siti", "email": email})).encode()
        url = f"http://127.0.0.1:{self.base + 80}/api/v1/reports"

        def post():
            request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=10) as r:
                    return json.load(r)["tracking_id"] if r.status == 201 else None
            except OSError:
                return None   # a service still finding its feet after the restart: try again

        tracking_id = wait_for(post, 30, "a submission to be accepted")

        def stored():
            try:
                with urllib.request.urlopen(f"{url}/{tracking_id}", timeout=5) as r:
                    return r.status == 200
            except OSError:
                return False

        wait_for(stored, 30, f"report {tracking_id} to be readable")
        index = os.path.join(self.state, "mail", "index.jsonl")

        def mailed():
            if not os.path.exists(index):
                return False
            with open(index) as f:
                return any(email in json.loads(line)["rcpt_tos"] for line in f if line.strip())

        wait_for(mailed, 60, f"the e-mail to {email}")

    def test_each_killed_service_comes_back_and_the_system_works(self):
        self.submit_and_check()
        for name in SERVICES:
            old = self.pid(name)
            os.kill(old, signal.SIGKILL)
            wait_for(lambda: self.pid(name) != old and self.ready(name), 60, f"{name} to come back")
            self.assertIn(f"{name} exited (status 137); restarting it", self.runner_output())
            self.assertIsNone(self.runner.poll(), "the runner itself stopped")
            for other in SERVICES:   # the gateway sees intake back at its next ping, a few seconds at most
                wait_for(lambda: self.ready(other), 30, f"{other} to be ready after {name} was killed")
            self.submit_and_check()

        old = self.pid("intake")
        done = subprocess.run([RUNNER, "restart", "intake"], env=self.env, capture_output=True, text=True,
                              timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertNotEqual(self.pid("intake"), old)
        self.assertFalse(self.alive(old))
        self.assertIn("intake stopped (status 0) and is restarted on request", self.runner_output())
        self.submit_and_check()

        # Ctrl-C: SIGINT to the terminal's whole process group (the runner started a session of its own).
        pids = [self.pid(name) for name in SERVICES]
        os.killpg(self.runner.pid, signal.SIGINT)
        self.assertEqual(self.runner.wait(60), 130)
        for pid in pids:
            self.assertFalse(self.alive(pid), f"service {pid} still runs after the runner stopped")
        self.assertIn("aduan: stopped", self.runner_output())


if __name__ == "__main__":
    unittest.main()
