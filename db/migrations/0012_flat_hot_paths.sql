-- Indexes that keep every hot-path query's cost in proportion to its own input, not to the size of
-- reports, events or deliveries (issue 11; tests/db/test_hot_path_plans.c checks the plans).

CREATE EXTENSION IF NOT EXISTS btree_gist;

-- The duplicate pre-check asks for the reports of one region and category within a time window
-- that are nearest in trigram distance (KNN, `<->`). Region, category and time come first so the
-- scan stays inside that window however much history piles up; the trigrams are compared from the
-- index keys, never recomputed from the heap. It replaces the GIN index, which only `%` and
-- similarity searches over the whole table could use, and which nothing asks for any more.
DROP INDEX reports_trgm;
CREATE INDEX reports_similar ON reports USING gist
    (region_code, category_code, submitted_at, (title || ' ' || body) gist_trgm_ops);

-- A delivery claim walks due rows in the order it sends them and stops at its look-ahead.
DROP INDEX deliveries_due;
CREATE INDEX deliveries_due ON deliveries (next_attempt_at, id) WHERE status IN ('pending', 'sending');
CREATE INDEX deliveries_receiver_busy ON deliveries (channel, recipient, lease_until) WHERE status = 'sending';
DROP INDEX deliveries_receiver;

-- The verification desk lists only reports waiting for a verifier; history never enters it.
CREATE INDEX reports_desk ON reports (submitted_at, id) WHERE status IN ('waiting_verification', 'postponed');
