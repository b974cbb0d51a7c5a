-- Who may do what to which table (DESIGN.md property 9; docs/architecture.md "Who owns which table").
--
-- Applied by `aduan-admin migrate` after every migration and seed, on every run, in one transaction,
-- as the database owner. It is not a numbered migration, and ALTER DEFAULT PRIVILEGES is not used,
-- because neither keeps up with a changing map: default privileges give a new table to the same
-- roles whatever it is, and a migration only adds grants, never takes back those a later change of
-- the map makes wrong. Here every service role first loses every table privilege in the schema and
-- then gets exactly what the map below says; a concurrent session sees the old grants or the new ones,
-- never none. A table (or view) in schema public that the map does not name stops `migrate`, so a
-- migration that adds a table must add its row here in the same change.
--
-- Roles are cluster-wide (one cluster may hold many aduan databases): they are created when missing
-- and never altered; passwords are the operator's business (ALTER ROLE ... PASSWORD, or a managed
-- database's user API), never in this file.
DO $grants$
DECLARE
    services CONSTANT text[] := ARRAY['aduan_gateway', 'aduan_intake', 'aduan_verify', 'aduan_route',
                                      'aduan_notify', 'aduan_stats', 'aduan_federate'];
    -- The services behind the gateway read the reference data they work with.
    backend  CONSTANT text[] := ARRAY['aduan_intake', 'aduan_verify', 'aduan_route', 'aduan_notify', 'aduan_stats',
                                      'aduan_federate'];
    lifecycle CONSTANT text[] := ARRAY['aduan_intake', 'aduan_verify', 'aduan_route', 'aduan_federate'];
    consumers CONSTANT text[] := ARRAY['aduan_verify', 'aduan_route', 'aduan_notify', 'aduan_stats', 'aduan_federate'];
    r text;
    g record;
    missing text;
BEGIN
    -- A service decides at start-up whether to migrate by whether it may create tables here. Since
    -- PostgreSQL 15 PUBLIC may not, but a database upgraded from an older release keeps the old
    -- grant (a warning, not an error, where the owner of the schema is someone else).
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    FOREACH r IN ARRAY services LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I LOGIN', r);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;  -- created just now by a migrate of another database in the same cluster
            END;
        END IF;
        EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', r);
        EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', r);
        EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM %I', r);
    END LOOP;

    CREATE TEMP TABLE grant_map (tbl text, roles text[], privileges text) ON COMMIT DROP;
    INSERT INTO grant_map VALUES
        -- written by migrations and seeds only, but for the rows edited by admins below
        ('schema_migrations',      services,  'SELECT'),  -- start-up: is the schema at my version?
        ('institutions',           services,  'SELECT'),  -- the gateway: staff scope at sign-in
        ('regions',                backend,   'SELECT'),
        ('categories',             backend,   'SELECT'),
        ('categories',             ARRAY['aduan_intake'], 'SELECT, INSERT, UPDATE'),  -- national admins, via intake
        ('holidays',               backend,   'SELECT'),
        ('holidays',               ARRAY['aduan_route'], 'SELECT, INSERT, DELETE'),  -- national admins, via route
        ('deadline_kinds',         backend,   'SELECT'),
        ('deadline_rules',         backend,   'SELECT'),
        ('reason_codes',           backend,   'SELECT'),
        ('routing_rules',          backend,   'SELECT'),
        ('routing_rules',          ARRAY['aduan_route'], 'SELECT, INSERT, UPDATE, DELETE'),  -- admins, via route
        ('removed_reference_rows', ARRAY['aduan_route'], 'SELECT, INSERT, DELETE'),  -- seeds skip these
        ('abuse_words',            backend,   'SELECT'),
        ('lifecycle_settings',     backend,   'SELECT'),
        ('report_statuses',        backend,   'SELECT'),
        ('notification_rules',     backend,   'SELECT'),
        ('notification_templates', backend,   'SELECT'),
        ('notification_templates', ARRAY['aduan_notify'], 'SELECT, INSERT, UPDATE'),  -- national admins, via notify
        ('stats_settings',         backend,   'SELECT'),
        ('institution_ancestors',  backend,   'SELECT'),
        -- gateway: staff sign-in and accounts
        -- deactivation, reactivation, password reset, role and institution changes (admins)
        ('staff',                  ARRAY['aduan_gateway'], 'SELECT, INSERT, UPDATE (active, password_hash, role, institution_code)'),
        ('staff',                  backend,   'SELECT'),  -- recipients, names in delivery logs
        ('staff_sessions',         ARRAY['aduan_gateway'], 'SELECT, INSERT, UPDATE (last_used_at), DELETE'),
        -- gateway: Open311 client applications (keys checked on every POST; issued and revoked by admins)
        ('open311_keys',           ARRAY['aduan_gateway'], 'SELECT, INSERT, UPDATE (revoked_at)'),
        ('open311_attributes',     backend,   'SELECT'),
        ('open311_statuses',       backend,   'SELECT'),
        -- intake creates reports; verify and route change them through common/lifecycle_store.c
        ('reports',                ARRAY['aduan_intake'], 'SELECT, INSERT, UPDATE'),
        ('reports',                ARRAY['aduan_verify', 'aduan_route', 'aduan_federate'], 'SELECT, UPDATE'),
        ('reports',                ARRAY['aduan_notify', 'aduan_stats'], 'SELECT'),
        ('report_actions',         lifecycle, 'SELECT, INSERT'),
        ('report_actions',         ARRAY['aduan_notify'], 'SELECT'),  -- the note of a step, for messages
        ('report_deadlines',       lifecycle, 'SELECT, INSERT, UPDATE'),
        ('submission_keys',        ARRAY['aduan_intake'], 'SELECT, INSERT, DELETE'),
        ('attachments',            ARRAY['aduan_intake'], 'SELECT, INSERT'),
        ('report_supports',        ARRAY['aduan_intake'], 'SELECT, INSERT'),
        ('reporter_codes',         ARRAY['aduan_intake'], 'SELECT, INSERT, UPDATE, DELETE'),  -- "my reports"
        ('desk_saved_filters',     ARRAY['aduan_intake'], 'SELECT, INSERT, DELETE'),  -- staff's saved desk filters
        ('reporter_sessions',      ARRAY['aduan_intake'], 'SELECT, INSERT, DELETE'),
        ('report_prechecks',       ARRAY['aduan_verify'], 'SELECT, INSERT'),
        ('report_prechecks',       ARRAY['aduan_intake', 'aduan_route'], 'SELECT'),  -- staff views
        -- the text the staff search finds words in (0049), written by verify with the pre-checks
        ('report_search',          ARRAY['aduan_verify'], 'SELECT, INSERT'),
        ('report_search',          ARRAY['aduan_intake', 'aduan_route'], 'SELECT'),  -- staff views
        -- the log: appended by whoever changes a report, numbered by stats alone
        ('events',                 lifecycle, 'SELECT, INSERT'),
        ('events',                 ARRAY['aduan_notify'], 'SELECT, INSERT'),  -- config.template_changed
        ('events',                 ARRAY['aduan_gateway'], 'INSERT'),  -- staff.* events of account changes
        ('events',                 ARRAY['aduan_stats'], 'SELECT, UPDATE (seq)'),
        ('event_counter',          ARRAY['aduan_stats'], 'SELECT, UPDATE'),
        ('event_counter',          consumers, 'SELECT'),
        ('consumer_positions',     consumers, 'SELECT, INSERT, UPDATE, DELETE'),
        ('consumer_members',       consumers, 'SELECT, INSERT, UPDATE, DELETE'),
        -- notify
        ('webhooks',               ARRAY['aduan_notify'], 'SELECT, INSERT, UPDATE'),
        ('deliveries',             ARRAY['aduan_notify'], 'SELECT, INSERT, UPDATE'),
        ('deliveries',             lifecycle, 'SELECT'),  -- the delivery proof in staff views
        ('delivery_attempts',      ARRAY['aduan_notify'], 'SELECT, INSERT, UPDATE'),
        ('inbox_items',            ARRAY['aduan_notify'], 'SELECT, INSERT, UPDATE'),
        ('report_followers',       ARRAY['aduan_notify'], 'SELECT, INSERT, UPDATE, DELETE'),  -- unsubscribing deletes
        -- federate: upstream Open311 servers (written by operators), the forwards it makes
        ('federation_upstreams',   backend,   'SELECT'),
        ('federation_service_codes', backend, 'SELECT'),
        ('federation_forwards',    ARRAY['aduan_federate'], 'SELECT, INSERT, UPDATE'),
        -- stats
        ('stat_reports',           ARRAY['aduan_stats'], 'SELECT, INSERT, UPDATE, DELETE'),
        ('survey_responses',       ARRAY['aduan_stats'], 'SELECT, INSERT'),
        ('survey_codes',           ARRAY['aduan_stats'], 'SELECT, INSERT, UPDATE, DELETE'),
        -- moved by the triggers of every table the figures read (0032), as the owner
        ('stats_generation',       ARRAY['aduan_stats'], 'SELECT'),
        -- folded in by aduan-stats through stat_rollup_fold (0037, replaced by 0042), as the owner
        ('stat_rollup',            ARRAY['aduan_stats'], 'SELECT'),
        ('stat_rollup_times',      ARRAY['aduan_stats'], 'SELECT');

    SELECT string_agg(c.relname, ', ' ORDER BY c.relname) INTO missing
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
       AND NOT EXISTS (SELECT FROM grant_map m WHERE m.tbl = c.relname);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'no owner in db/grants.sql for: %', missing
            USING HINT = 'a migration that adds a table adds its row to the grant map';
    END IF;

    FOR g IN SELECT m.tbl, unnest(m.roles) AS role, m.privileges FROM grant_map m LOOP
        -- privileges are literals of this file, not input: format's %s is safe here
        EXECUTE format('GRANT %s ON TABLE %I TO %I', g.privileges, g.tbl, g.role);
        -- an INSERT into a table with a serial column takes the next value of its sequence
        IF g.privileges LIKE '%INSERT%' THEN
            FOR r IN SELECT s.oid::regclass::text
                       FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
                      WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
                        AND d.refobjid = g.tbl::regclass AND d.deptype IN ('a', 'i') LOOP
                EXECUTE format('GRANT USAGE ON SEQUENCE %s TO %I', r, g.role);
            END LOOP;
        END IF;
    END LOOP;
END
$grants$;
