-- The console's word search (common/lifecycle/staff_views.c, `q`: ILIKE over title and body)
-- reads a trigram index of each report's text (0028). On reports, that GIN index took new entries
-- at every write of a report, not only at its insert: no write of a lifecycle step is HOT (status,
-- holder, updated_at and next_due_at are indexed), so each step extracted the trigrams of the
-- whole text again and added them to the index's pending list, for a text that had not changed.
-- In a copy of the drain benchmark's 20 000 reports, that index was a third to a half of the time
-- of route's update of 2 000 reports (docs/performance.md, "Route: the text out of the step's
-- write"). The text is written once, at intake, so its index now lives in a table of its own,
-- written by these triggers when a report is created and on the rare change of its title or body.
CREATE TABLE report_search (
    report_id bigint PRIMARY KEY REFERENCES reports (id),
    words     text NOT NULL
);

-- SECURITY DEFINER: whoever writes reports needs no privilege on the copy (db/grants.sql).
-- Statement-level on insert: intake's group commit adds its batch in one statement.
CREATE FUNCTION report_search_add() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO report_search (report_id, words) SELECT a.id, a.title || ' ' || a.body FROM added a;
    RETURN NULL;
END
$$;
CREATE TRIGGER reports_search_insert AFTER INSERT ON reports
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION report_search_add();

-- A column list cannot go with a transition table, so a row trigger; it fires only for an UPDATE
-- that sets title or body, which no lifecycle step does.
CREATE FUNCTION report_search_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    UPDATE report_search SET words = NEW.title || ' ' || NEW.body WHERE report_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER reports_search_update AFTER UPDATE OF title, body ON reports
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.body IS DISTINCT FROM NEW.body)
    EXECUTE FUNCTION report_search_change();

INSERT INTO report_search (report_id, words) SELECT id, title || ' ' || body FROM reports;
CREATE INDEX report_search_trgm ON report_search USING gin (words gin_trgm_ops);
DROP INDEX reports_trgm;
