-- The dashboard's figures from groups instead of reports: stat_rollup holds, per Jakarta month of
-- submission, holder, region, category, classification and channel, every count the views show
-- and the times they take medians and p90s of, each distinct time once with how many reports took
-- it (percentile_cont interpolates between two raw values, so nothing coarser gives the same
-- figures; times_percentile computes it exactly from these). It changes only with stat_reports,
-- in the same statement (a trigger), so a reader's snapshot sees both alike and stats_generation
-- still says when either moved. Months only partly inside a query's dates are read from
-- stat_reports.
CREATE TABLE stat_rollup (
    month                 date NOT NULL,   -- first day of the Jakarta month of submission
    institution_code      text,
    region_code           text NOT NULL,
    category_code         text NOT NULL,
    classification        text NOT NULL,
    channel               text NOT NULL,
    received              integer NOT NULL,
    not_yet_verified      integer NOT NULL,
    not_yet_followed_up   integer NOT NULL,
    in_process            integer NOT NULL,
    completed             integer NOT NULL,
    postponed             integer NOT NULL,
    archived              integer NOT NULL,
    transferred           integer NOT NULL,
    ever_postponed        integer NOT NULL,
    ever_transferred      integer NOT NULL,
    supports              bigint NOT NULL,
    verification_in_time  integer NOT NULL,
    verification_due      integer NOT NULL,   -- verified, or its clock ran out
    follow_up_in_time     integer NOT NULL,
    follow_up_due         integer NOT NULL,
    verification_missed   integer NOT NULL,
    follow_up_missed      integer NOT NULL,
    resolution_missed     integer NOT NULL,
    -- seconds, as extract(epoch FROM later - earlier), of the reports that have both times:
    -- the distinct values ascending, and beside them (_n) how many reports took each
    to_verification         float8[] NOT NULL,
    to_verification_n       integer[] NOT NULL,
    dispatch_to_follow_up   float8[] NOT NULL,
    dispatch_to_follow_up_n integer[] NOT NULL,
    to_completion           float8[] NOT NULL,
    to_completion_n         integer[] NOT NULL
);
CREATE UNIQUE INDEX stat_rollup_group ON stat_rollup
    (month, institution_code, region_code, category_code, classification, channel) NULLS NOT DISTINCT;
-- the groups a change emptied, found without reading the others
CREATE INDEX stat_rollup_emptied ON stat_rollup (month) WHERE received = 0;

-- The Jakarta month a report counts in.
CREATE FUNCTION jakarta_month(t timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
    SELECT date_trunc('month', t AT TIME ZONE 'Asia/Jakarta')::date
$$;

-- Times (seconds, one per report, any order) as distinct values ascending and how many of each,
-- the counts multiplied by `sign`.
CREATE FUNCTION times_of(seconds float8[], sign integer, OUT vals float8[], OUT counts integer[])
LANGUAGE sql IMMUTABLE AS $$
    SELECT COALESCE(array_agg(v ORDER BY v), '{}'), COALESCE(array_agg(n ORDER BY v), '{}')
    FROM (SELECT v, (sign * count(*))::integer AS n FROM unnest(seconds) v GROUP BY v) x
$$;

-- Two sets of times as above added together; a value whose count comes to 0 goes.
CREATE FUNCTION times_merge(a_vals float8[], a_counts integer[], b_vals float8[], b_counts integer[],
                            OUT vals float8[], OUT counts integer[])
LANGUAGE sql IMMUTABLE AS $$
    SELECT COALESCE(array_agg(v ORDER BY v), '{}'), COALESCE(array_agg(n ORDER BY v), '{}')
    FROM (SELECT v, sum(n)::integer AS n
          FROM (SELECT * FROM unnest($1, $2) UNION ALL SELECT * FROM unnest($3, $4)) x (v, n)
          GROUP BY v HAVING sum(n) <> 0) y
$$;

-- percentile_cont(p) of the times `vals` (ascending, distinct) taken `counts` times each, computed
-- as PostgreSQL computes it over the single values: the values at the 0-based positions
-- floor(p × (n − 1)) and ceil(p × (n − 1)), interpolated as lo + (pos − floor(pos)) × (hi − lo), in
-- float8 as there. NULL without any time.
CREATE FUNCTION times_percentile(vals float8[], counts bigint[], p float8) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
    WITH c AS (SELECT u.v, u.n, sum(u.n) OVER (ORDER BY u.i) AS through
               FROM unnest(vals, counts) WITH ORDINALITY AS u (v, n, i)),
         x AS (SELECT p * (sum(c.n) - 1)::float8 AS pos FROM c)
    SELECT lo.v + (x.pos - floor(x.pos)) * (hi.v - lo.v)
    FROM x, c lo, c hi
    WHERE lo.through - lo.n <= floor(x.pos) AND floor(x.pos) < lo.through
      AND hi.through - hi.n <= ceil(x.pos) AND ceil(x.pos) < hi.through
$$;

-- The reports `rows` as groups of the rollup, by Jakarta month (by day: each day its own group, the
-- first column then the day), every count multiplied by `sign`: the one definition of what the
-- views count, for the rollup and for the days the views read from stat_reports.
CREATE FUNCTION stat_group(rows stat_reports[], sign integer, by_day boolean) RETURNS SETOF stat_rollup
LANGUAGE sql STABLE AS $$
    SELECT k.month, k.institution_code, k.region_code, k.category_code, k.classification, k.channel,
           (sign * k.counts[1])::integer, (sign * k.counts[2])::integer, (sign * k.counts[3])::integer,
           (sign * k.counts[4])::integer, (sign * k.counts[5])::integer, (sign * k.counts[6])::integer,
           (sign * k.counts[7])::integer, (sign * k.counts[8])::integer, (sign * k.counts[9])::integer,
           (sign * k.counts[10])::integer, sign * k.supports, (sign * k.counts[11])::integer,
           (sign * k.counts[12])::integer, (sign * k.counts[13])::integer, (sign * k.counts[14])::integer,
           (sign * k.counts[15])::integer, (sign * k.counts[16])::integer, (sign * k.counts[17])::integer,
           t1.vals, t1.counts, t2.vals, t2.counts, t3.vals, t3.counts
    FROM (SELECT CASE WHEN by_day THEN (s.submitted_at AT TIME ZONE 'Asia/Jakarta')::date
                      ELSE jakarta_month(s.submitted_at) END AS month,
                 s.institution_code, s.region_code, s.category_code, s.classification, s.channel,
                 -- in the order of stat_rollup's columns, received to resolution_missed
                 ARRAY[count(*), count(*) FILTER (WHERE s.public_status = 'not_yet_verified'),
                       count(*) FILTER (WHERE s.public_status = 'not_yet_followed_up'),
                       count(*) FILTER (WHERE s.public_status = 'in_process'),
                       count(*) FILTER (WHERE s.public_status = 'completed'),
                       count(*) FILTER (WHERE s.status = 'postponed'), count(*) FILTER (WHERE s.status = 'archived'),
                       count(*) FILTER (WHERE s.status = 'transferred'), count(*) FILTER (WHERE s.ever_postponed),
                       count(*) FILTER (WHERE s.ever_transferred),
                       count(*) FILTER (WHERE s.verified_at IS NOT NULL AND NOT s.verification_missed),
                       count(*) FILTER (WHERE s.verified_at IS NOT NULL OR s.verification_missed),
                       count(*) FILTER (WHERE s.followed_up_at IS NOT NULL AND NOT s.follow_up_missed),
                       count(*) FILTER (WHERE s.followed_up_at IS NOT NULL OR s.follow_up_missed),
                       count(*) FILTER (WHERE s.verification_missed), count(*) FILTER (WHERE s.follow_up_missed),
                       count(*) FILTER (WHERE s.resolution_missed)] AS counts,
                 sum(s.supports) AS supports,
                 array_agg(extract(epoch FROM s.verified_at - s.submitted_at)::float8)
                     FILTER (WHERE s.verified_at IS NOT NULL) AS to_verification,
                 array_agg(extract(epoch FROM s.followed_up_at - s.dispatched_at)::float8)
                     FILTER (WHERE s.followed_up_at IS NOT NULL AND s.dispatched_at IS NOT NULL) AS dispatch_to_follow_up,
                 array_agg(extract(epoch FROM s.completed_at - s.submitted_at)::float8)
                     FILTER (WHERE s.completed_at IS NOT NULL) AS to_completion
          FROM unnest(rows) s
          GROUP BY 1, 2, 3, 4, 5, 6) k,
         times_of(k.to_verification, sign) t1, times_of(k.dispatch_to_follow_up, sign) t2,
         times_of(k.to_completion, sign) t3
$$;

-- Adds (sign 1) or takes away (sign -1) the reports `rows` to or from their groups; groups left
-- with no report go. Groups are written in key order, so two writers never wait for each other in
-- opposite orders.
CREATE FUNCTION stat_rollup_change(rows stat_reports[], sign integer) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO stat_rollup AS r
    SELECT * FROM stat_group(rows, sign, false) g
    ORDER BY g.month, g.institution_code, g.region_code, g.category_code, g.classification, g.channel
    ON CONFLICT (month, institution_code, region_code, category_code, classification, channel) DO UPDATE SET
        received = r.received + excluded.received, not_yet_verified = r.not_yet_verified + excluded.not_yet_verified,
        not_yet_followed_up = r.not_yet_followed_up + excluded.not_yet_followed_up,
        in_process = r.in_process + excluded.in_process, completed = r.completed + excluded.completed,
        postponed = r.postponed + excluded.postponed, archived = r.archived + excluded.archived,
        transferred = r.transferred + excluded.transferred, ever_postponed = r.ever_postponed + excluded.ever_postponed,
        ever_transferred = r.ever_transferred + excluded.ever_transferred, supports = r.supports + excluded.supports,
        verification_in_time = r.verification_in_time + excluded.verification_in_time,
        verification_due = r.verification_due + excluded.verification_due,
        follow_up_in_time = r.follow_up_in_time + excluded.follow_up_in_time,
        follow_up_due = r.follow_up_due + excluded.follow_up_due,
        verification_missed = r.verification_missed + excluded.verification_missed,
        follow_up_missed = r.follow_up_missed + excluded.follow_up_missed,
        resolution_missed = r.resolution_missed + excluded.resolution_missed,
        (to_verification, to_verification_n) = (SELECT * FROM times_merge(r.to_verification, r.to_verification_n,
                                                  excluded.to_verification, excluded.to_verification_n)),
        (dispatch_to_follow_up, dispatch_to_follow_up_n) = (SELECT * FROM times_merge(r.dispatch_to_follow_up,
            r.dispatch_to_follow_up_n, excluded.dispatch_to_follow_up, excluded.dispatch_to_follow_up_n)),
        (to_completion, to_completion_n) = (SELECT * FROM times_merge(r.to_completion, r.to_completion_n,
                                              excluded.to_completion, excluded.to_completion_n));
    DELETE FROM stat_rollup WHERE received = 0;
$$;

-- Statement triggers with the statement's rows: the rebuild's DELETE and a bulk load are one
-- grouped change, a counted event one or two groups. SECURITY DEFINER: the writers of
-- stat_reports need no privilege on the rollup, readers only SELECT.
CREATE FUNCTION stat_rollup_follow() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM stat_rollup_change(ARRAY(SELECT ROW(o.*)::stat_reports FROM old_rows o), -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM stat_rollup_change(ARRAY(SELECT ROW(n.*)::stat_reports FROM new_rows n), 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER stat_rollup_insert AFTER INSERT ON stat_reports REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stat_rollup_follow();
CREATE TRIGGER stat_rollup_update AFTER UPDATE ON stat_reports REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stat_rollup_follow();
CREATE TRIGGER stat_rollup_delete AFTER DELETE ON stat_reports REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stat_rollup_follow();

-- Counted again from stat_reports: the recount (aduan-admin rebuild-stats) ends with it, so a
-- rollup that ever drifted is made right by the same command that makes the facts right.
CREATE FUNCTION stat_rollup_recount() RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DELETE FROM stat_rollup;
    SELECT stat_rollup_change(ARRAY(SELECT s FROM stat_reports s), 1);
$$;

SELECT stat_rollup_recount();

-- TRUNCATE has no rows to follow: the rollup goes with it.
CREATE FUNCTION stat_rollup_empty() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    DELETE FROM stat_rollup;
    RETURN NULL;
END
$$;
CREATE TRIGGER stat_rollup_truncate AFTER TRUNCATE ON stat_reports FOR EACH STATEMENT EXECUTE FUNCTION stat_rollup_empty();
