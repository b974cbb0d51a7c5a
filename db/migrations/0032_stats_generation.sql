-- aduan-stats keeps the documents it answered (stats_cache.h) and serves one again only while
-- nothing it was computed from has changed. This counter says so: every statement that changes a
-- table the statistics read moves it, in the writer's own transaction, so a reader's snapshot
-- sees the counter and the rows it counts together, committed or not at all. A sequence would
-- not do: nextval is seen before the rows it stands for commit. The generation is the sum of 16
-- slots, each transaction moving the slot of its id: an update holds its row until commit, and
-- one row would make the stats replicas' counting transactions (and a survey answer) wait for each
-- other; the sum still moves with every commit and never goes back.
CREATE TABLE stats_generation (
    slot smallint PRIMARY KEY CHECK (slot BETWEEN 0 AND 15),
    n    bigint NOT NULL DEFAULT 0
);
INSERT INTO stats_generation (slot) SELECT generate_series(0, 15);

-- SECURITY DEFINER: the writers (stats, intake's categories, the operator's seeds) need no
-- privilege on the counter itself.
CREATE FUNCTION stats_generation_bump() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    UPDATE stats_generation SET n = n + 1 WHERE slot = txid_current() % 16;
    RETURN NULL;
END
$$;

CREATE TRIGGER stat_reports_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON stat_reports
    FOR EACH STATEMENT EXECUTE FUNCTION stats_generation_bump();
CREATE TRIGGER survey_responses_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON survey_responses
    FOR EACH STATEMENT EXECUTE FUNCTION stats_generation_bump();
CREATE TRIGGER stats_settings_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON stats_settings
    FOR EACH STATEMENT EXECUTE FUNCTION stats_generation_bump();
CREATE TRIGGER institutions_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON institutions
    FOR EACH STATEMENT EXECUTE FUNCTION stats_generation_bump();
CREATE TRIGGER categories_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON categories
    FOR EACH STATEMENT EXECUTE FUNCTION stats_generation_bump();
