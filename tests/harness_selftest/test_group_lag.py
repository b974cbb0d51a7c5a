"""load_bench.group_lag answers whether a consumer group has handled every event, and tests wait on
it being 0 before they read what the group wrote. It reads in several statements while the hub
numbers events: whenever the hub numbers the waiting events between two of those reads, events the
group has not handled must still be counted."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import load_bench  # noqa: E402


class Log:
    """events as (seq or None, tracking id); the group has handled up to `handled` in its one partition."""

    def __init__(self, numbered, waiting, handled):
        self.events = [(seq, f"T{seq}") for seq in range(1, numbered + 1)] + [(None, f"W{n}") for n in range(waiting)]
        self.handled = handled
        self.calls = 0
        self.hub_after = None

    def number_waiting(self):
        last = max((seq for seq, _ in self.events if seq), default=0)
        numbered = []
        for seq, tracking in self.events:
            if seq is None:
                last += 1
                seq = last
            numbered.append((seq, tracking))
        self.events = numbered

    def psql(self, url, sql, stdin=None):
        answer = self.answer(sql)
        self.calls += 1
        if self.calls == self.hub_after:
            self.number_waiting()
        return answer

    def answer(self, sql):
        if "FROM consumer_positions" in sql:
            return f"0\t{self.handled}"
        if "seq IS NULL" in sql:
            return str(sum(seq is None for seq, _ in self.events))
        if "WHERE seq >" in sql:
            after = int(sql.split("WHERE seq >")[1].split()[0])
            return "\n".join(f"{seq}\t{tracking}" for seq, tracking in self.events if seq and seq > after)
        raise AssertionError("a read group_lag was not expected to make: " + sql)


class GroupLag(unittest.TestCase):
    def lag_with_hub_after(self, call):
        log = Log(numbered=197, waiting=22, handled=197)
        log.hub_after = call
        saved = load_bench.psql
        load_bench.psql = log.psql
        try:
            return load_bench.group_lag("postgresql://unused", "stats"), log.calls
        finally:
            load_bench.psql = saved

    def test_events_the_hub_numbers_between_the_reads_are_still_counted(self):
        _, calls = self.lag_with_hub_after(None)
        for call in range(calls + 1):
            with self.subTest(hub_numbers_after_read=call):
                lag, _ = self.lag_with_hub_after(call)
                self.assertGreaterEqual(lag, 22)

    def test_a_group_that_handled_everything_has_no_lag(self):
        log = Log(numbered=219, waiting=0, handled=219)
        saved = load_bench.psql
        load_bench.psql = log.psql
        try:
            self.assertEqual(load_bench.group_lag("postgresql://unused", "stats"), 0)
        finally:
            load_bench.psql = saved


if __name__ == "__main__":
    unittest.main()
