-- No JIT compilation for this database's sessions (issue 11: hot paths at 1M reports within 1.5x of
-- 10k; docs/performance.md "Hot paths at two sizes").
--
-- PostgreSQL compiles a statement when its estimated cost passes jit_above_cost (100 000). The hot
-- paths stop after a page or a batch (LIMIT, keyset), so what they do stays flat, but the estimates
-- of the branches they walk or skip grow with the tables: at a million reports the public list's
-- deep page, the list's counts and the word searches passed the threshold and spent 100-200 ms
-- compiling to run for 1-2 ms (EXPLAIN ANALYZE: "JIT: Functions: 98, Timing: Total 191.7 ms";
-- 1.3 ms without). Nothing here runs long enough to win that back. A session that wants JIT for a
-- long report can still SET jit = on. It applies to sessions that connect after this migration (the
-- services connect after `aduan-admin migrate`) and to the session that applies it.
SET jit = off;
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
END
$$;
