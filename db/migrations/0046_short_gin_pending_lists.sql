-- Short pending lists for the two GIN indexes every new report writes (issue 11: p99 of a
-- submission; docs/performance.md, branch `ingest2`).
--
-- With fastupdate (the default) a report's trigram and word entries go to the index's pending list,
-- and the insert that finds the list over gin_pending_list_limit (4 MB by default, about 2 500
-- reports here) merges the whole list into the index before it returns. That insert is in one of
-- intake's batches, and every submission arriving meanwhile waits for that batch: the report's
-- insert took 1-2 ms on average and 217-496 ms at most in the runs measured. At 256 kB a merge
-- holds about a sixteenth of the entries, still grouped by key: the largest insert in the services
-- fell to 50-84 ms, and in single-row inserts of the reports' words p99 halved and the inserts went
-- faster, not slower. Writing each entry at once (fastupdate off) made every insert pay for it:
-- a third fewer inserts a second and a higher p99. A search also reads the whole pending list
-- entry by entry, so the console's text search gains from a short one too.
ALTER INDEX reports_trgm SET (gin_pending_list_limit = 256);
ALTER INDEX reports_public_words SET (gin_pending_list_limit = 256);
