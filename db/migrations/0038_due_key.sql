-- The lists' "due" order with its NULLs (no running clock) as 'infinity' (common/lifecycle/staff_views.c):
-- a key without NULL lets the `after` cursor be one row comparison with the index key, which the
-- walk starts at, where NULLS LAST needed an OR (rows after the cursor, or any without a clock)
-- that no index answers, so a deep page read and skipped every report before it. Replaces 0031's
-- two indexes of that order; "overdue" reads the start of this one as it read theirs.
DROP INDEX reports_due;
DROP INDEX reports_desk_due;
CREATE INDEX reports_due ON reports ((COALESCE(next_due_at, timestamptz 'infinity')), submitted_at, id);
CREATE INDEX reports_desk_due ON reports ((COALESCE(next_due_at, timestamptz 'infinity')), submitted_at, id)
    WHERE status IN ('waiting_verification', 'postponed');
