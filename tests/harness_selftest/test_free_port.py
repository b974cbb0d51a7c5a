"""Two suites side by side never get the same port from the harness: each picks many ports from a
narrow range while neither binds them (as between a pick and its service's start)."""
import os
import subprocess
import sys
import unittest

PICKER = """
import sys
import aduan_harness as h
h._PORT_RANGE = (20000, 20400)
ports = [h.free_port() for _ in range(150)]
print(' '.join(map(str, ports)), flush=True)
sys.stdin.read()  # hold the claims until the test has both lists
"""


class FreePort(unittest.TestCase):
    def test_two_processes_never_share_a_port(self):
        env = {**os.environ, "PYTHONPATH": os.path.join(os.path.dirname(__file__), "..", "harness")}
        pickers = [subprocess.Popen([sys.executable, "-c", PICKER], env=env, stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, text=True) for _ in range(2)]
        picked = [set(map(int, p.stdout.readline().split())) for p in pickers]
        for p in pickers:
            p.communicate("")
        self.assertEqual(len(picked[0]), 150)
        self.assertEqual(len(picked[1]), 150)
        self.assertEqual(picked[0] & picked[1], set())


if __name__ == "__main__":
    unittest.main()
