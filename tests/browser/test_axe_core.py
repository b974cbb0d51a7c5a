"""axe_core.axe_source on a machine that has no axe-core yet, asked for by several browser tests at
once as ctest runs them side by side (a fresh CI machine): every one gets the whole script, and the
install is done once."""
import os
import sys
import tempfile
import threading
import unittest

import axe_core

FIRST_USES = 8


class FirstUseTest(unittest.TestCase):
    def setUp(self):
        self.cache_root = tempfile.TemporaryDirectory(prefix="aduan-axe-")
        self.saved = os.environ.get("XDG_CACHE_HOME")
        os.environ["XDG_CACHE_HOME"] = self.cache_root.name

    def tearDown(self):
        if self.saved is None:
            os.environ.pop("XDG_CACHE_HOME", None)
        else:
            os.environ["XDG_CACHE_HOME"] = self.saved
        self.cache_root.cleanup()

    def test_first_uses_at_once_each_get_the_whole_script(self):
        results, failures = [], []

        def use():
            try:
                results.append(axe_core.axe_source())
            except Exception as e:  # the failure is the finding: report it, not a thread's traceback
                failures.append(repr(e))

        threads = [threading.Thread(target=use) for _ in range(FIRST_USES)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(failures, [])
        self.assertEqual(len(results), FIRST_USES)
        self.assertTrue(all(r == results[0] for r in results), "every use read the same, whole script")
        self.assertTrue(results[0].startswith("/*! axe v"), results[0][:80])
        self.assertIn("axe.run=", results[0])
        folders = [e for e in os.listdir(os.path.dirname(axe_core.cache_folder())) if not e.endswith(".lock")]
        self.assertEqual(folders, [os.path.basename(axe_core.cache_folder())],
                         "one install in place, no staging folder left behind")


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
