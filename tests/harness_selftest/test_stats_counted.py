"""System.wait_stats_counted lets a test read what aduan-stats wrote once every event that changes
a report's numbers is counted. An event the hub has not numbered yet is among them: stats counts it
once it has a number, so the wait must not end while one is waiting (e2e_stats once read the
rollup, then counted it afresh, while stats counted the script's last submission in between)."""
import unittest

from aduan_harness import Database, System


class StatsLog:
    """Just the columns wait_stats_counted reads, on a database of the test cluster."""
    wait_for = System.wait_for
    wait_stats_counted = System.wait_stats_counted

    def __init__(self):
        self.db = Database("stats_counted")
        self.db.scalar("CREATE TABLE events (seq bigint, tracking_id text, type text);"
                       "CREATE TABLE stat_reports (tracking_id text, last_seq bigint)")

    def counted(self):
        try:
            self.wait_stats_counted(timeout=0.3)
            return True
        except AssertionError:
            return False


class WaitStatsCounted(unittest.TestCase):
    def setUp(self):
        self.log = StatsLog()
        self.addCleanup(self.log.db.drop)
        self.log.db.scalar("INSERT INTO events VALUES (1, 'T1', 'report.submitted'), (2, 'T1', 'report.verified');"
                           "INSERT INTO stat_reports VALUES ('T1', 2)")

    def test_every_numbered_event_counted_ends_the_wait(self):
        self.assertTrue(self.log.counted())

    def test_an_event_not_yet_numbered_is_still_to_count(self):
        self.log.db.scalar("INSERT INTO events VALUES (NULL, 'T2', 'report.submitted')")
        self.assertFalse(self.log.counted())
        self.log.db.scalar("UPDATE events SET seq = 3 WHERE tracking_id = 'T2'")
        self.assertFalse(self.log.counted())
        self.log.db.scalar("INSERT INTO stat_reports VALUES ('T2', 3)")
        self.assertTrue(self.log.counted())

    def test_a_numbered_event_not_yet_counted_is_still_to_count(self):
        self.log.db.scalar("INSERT INTO events VALUES (3, 'T1', 'report.dispatched')")
        self.assertFalse(self.log.counted())

    def test_closing_soon_reminders_change_no_number(self):
        self.log.db.scalar("INSERT INTO events VALUES (NULL, 'T1', 'report.closing_soon')")
        self.assertTrue(self.log.counted())


if __name__ == "__main__":
    unittest.main()
