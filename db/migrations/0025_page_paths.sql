-- What the pages ask at 100k reports (tests/bench/pages_bench.py, docs/performance.md).
-- The console's report page lists the reports marked as duplicates of the one shown; without an
-- index that read every report (0.4-0.5 s at 100k). Few reports are duplicates: a partial index.
CREATE INDEX reports_duplicate_of ON reports (duplicate_of) WHERE duplicate_of IS NOT NULL;
-- The console's list of every report orders by each report's nearest running deadline: one pass
-- over the open clocks, in report order and without reading the table (an index-only scan), and
-- the desk's lookup per waiting report reads the same index.
CREATE INDEX report_deadlines_open_due ON report_deadlines (report_id, due_at) WHERE ended_at IS NULL;
-- The report page lists every clock of the report, ended ones too: an index on the report (the
-- partial ones hold open clocks only; without it every clock of every report was read).
CREATE INDEX report_deadlines_report ON report_deadlines (report_id);
