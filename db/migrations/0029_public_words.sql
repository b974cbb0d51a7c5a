-- The public list's full-text search walks the date index and tests each report's words until its
-- page is full (services/intake/public_list.c): a common word then costs the page, not the
-- quarter of all reports that hold it. Computing to_tsvector for each report walked cost more
-- than reading it; the words are stored beside the report, and the full-text index moves to them
-- (the planner also has statistics for a column, none for a partial index's expression).
ALTER TABLE reports ADD COLUMN public_words tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', title || ' ' || body)) STORED;
DROP INDEX reports_public_text;
CREATE INDEX reports_public_words ON reports USING gin (public_words) WHERE NOT confidential;
