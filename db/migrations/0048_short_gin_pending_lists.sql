-- Short pending lists for the two GIN indexes every new report writes (issue 11: p99 of a
-- submission; docs/performance.md, branch `ingest2`).
--
-- With fastupdate (the default) a report's trigram and word entries go to the index's pending list,
-- and the insert that finds the list over gin_pending_list_limit (4 MB by default, about 2 500
-- reports here) merges the whole list into the index before it returns. That insert is one of
-- intake's batches: it took 300 to 800 ms instead of a few, and every submission that arrived
-- meanwhile waited for it (pg_stat_statements: the report's insert at 1.2-1.9 ms on average and
-- 290-340 ms at most). At 256 kB a merge is about a sixteenth as long and the entries still go in
-- grouped by key; in single-row inserts with the reports' words it cut p99 by half and the largest
-- wait by three to four, and the inserts went faster, not slower. Writing each entry directly
-- (fastupdate off) made every insert pay it instead: a third fewer inserts a second and a higher p99.
-- A shorter list is also what the console's text search reads without an index.
ALTER INDEX reports_trgm SET (gin_pending_list_limit = 256);
ALTER INDEX reports_public_words SET (gin_pending_list_limit = 256);
