-- A report's words (0029) are computed when the public list starts listing it, not when it is
-- submitted. The list searches only the reports it lists (0048: not confidential, and not waiting
-- for verification, postponed or archived), yet the generated column ran to_tsvector on every new
-- report inside intake's batch and wrote a tsvector of some 600 bytes (larger than the text) to the
-- table and the WAL with each one: about 23 µs of intake's PostgreSQL backend a report in pgbench
-- (docs/performance.md, stop 63). PostgreSQL 15 also computed it again at every later write of the
-- row, whatever changed. A report now carries its words only while it is listed, so a
-- submission pays nothing for them and the write that verifies a report computes them once; the
-- later steps of its life (dispatch, follow-up: the status changes, the text does not) keep them
-- without calling anything, through the triggers' WHEN.
--
-- public_words is written by these triggers alone.
ALTER TABLE reports ALTER COLUMN public_words DROP EXPRESSION;

-- The predicate of the public list's indexes (0048), as a function the triggers share; inlined.
CREATE FUNCTION report_is_listed(confidential boolean, status text) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS $$
    SELECT NOT confidential AND status NOT IN ('waiting_verification', 'postponed', 'archived')
$$;

UPDATE reports SET public_words = NULL
    WHERE public_words IS NOT NULL AND NOT report_is_listed(confidential, status);

CREATE FUNCTION reports_public_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.public_words := CASE WHEN report_is_listed(NEW.confidential, NEW.status)
                             THEN to_tsvector('simple', NEW.title || ' ' || NEW.body) END;
    RETURN NEW;
END
$$;

CREATE TRIGGER reports_public_words_of_new BEFORE INSERT ON reports FOR EACH ROW
    WHEN (report_is_listed(NEW.confidential, NEW.status))
    EXECUTE FUNCTION reports_public_words();

CREATE TRIGGER reports_public_words_follow BEFORE UPDATE OF title, body, status, confidential ON reports
    FOR EACH ROW
    WHEN (NEW.title IS DISTINCT FROM OLD.title OR NEW.body IS DISTINCT FROM OLD.body
          OR report_is_listed(NEW.confidential, NEW.status) <> report_is_listed(OLD.confidential, OLD.status))
    EXECUTE FUNCTION reports_public_words();
