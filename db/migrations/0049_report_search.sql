-- The console's word search (common/lifecycle/staff_views.c, `q`) finds its candidates in a copy of
-- each report's text with its own trigram index, written by aduan-verify with the report's
-- pre-checks, instead of in a trigram index of reports (0028).
--
-- That index was the largest single cost of a submission: dropping it took intake's PostgreSQL
-- backend from 0.416 to 0.238 ms of CPU a report and gateway + intake + stats from 1 804 to 2 775
-- submissions a second in submit_bench (docs/performance.md, stop 58). A GIN index merges each new
-- report's hundred-odd trigrams into its posting lists, and it did so inside intake's batch, which
-- every submission arriving meanwhile waits for. It also took new entries at every lifecycle step's
-- write of a report (none is HOT), for a text that had not changed. Verify reads every new report
-- anyway, off the submission's path; a report's words are searchable once its pre-checks are
-- recorded, as its possible duplicates are.
CREATE TABLE report_search (
    report_id bigint PRIMARY KEY REFERENCES reports (id),
    words     text NOT NULL
);

INSERT INTO report_search (report_id, words) SELECT id, title || ' ' || body FROM reports;
CREATE INDEX report_search_trgm ON report_search USING gin (words gin_trgm_ops)
    WITH (gin_pending_list_limit = 256);
DROP INDEX reports_trgm;

-- The reports whose text matches an ILIKE pattern, at most `most` of them, always through the
-- trigram index: a common word stops after `most` rechecks, and a word the statistics overrate
-- cannot make the planner read the table in the hope of finding enough soon (the staff search reads
-- these first: common/lifecycle/staff_views.c, WORDS).
CREATE FUNCTION report_search_matches(pattern text, most int) RETURNS bigint[]
    LANGUAGE sql STABLE SET enable_seqscan = off SET enable_indexscan = off AS $$
    SELECT COALESCE(array_agg(m.report_id), '{}') FROM (
        SELECT s.report_id FROM report_search s WHERE s.words ILIKE $1 LIMIT $2) m
$$;

-- No service changes a report's text; should an operator correct one by hand, the copy follows.
-- SECURITY DEFINER: whoever may update reports needs no privilege on the copy (db/grants.sql).
CREATE FUNCTION report_search_follow_text() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    UPDATE report_search SET words = NEW.title || ' ' || NEW.body WHERE report_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER reports_search_text AFTER UPDATE OF title, body ON reports
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.body IS DISTINCT FROM NEW.body)
    EXECUTE FUNCTION report_search_follow_text();

-- The statistics the dropped index's expression had: the page's walk still tests the words on each
-- report it reads (ILIKE), and without them the planner priced that test at a fixed guess. Gathered
-- by the next analyze of reports (autovacuum's), not here: analyzed while empty, a new system's
-- reports were taken for a table known to be empty, and the foreign keys' checks, planned once a
-- connection and kept, read every report for each event, key and clock intake wrote
-- (tests/common/db/test_migrate.c).
CREATE STATISTICS reports_text ON (title || ' ' || body) FROM reports;
