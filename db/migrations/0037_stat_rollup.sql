-- The dashboard's figures from groups instead of reports: stat_rollup holds, per Jakarta month of
-- submission, holder, region, category, classification and channel, every count the views show;
-- stat_rollup_times the times they take medians and p90s of, one row per group, measure and
-- distinct time with how many reports took it (percentile_cont interpolates between two raw
-- values, so nothing coarser gives the same figures; times_percentile computes it exactly from
-- these). A time is a row, not an element of an array of the group: a surge puts thousands of
-- reports into one group, and changing one report then writes one or two rows, not the group's
-- whole list. Both change only with stat_reports, in the same transaction: aduan-stats folds each
-- consumer run's changed reports into them once, before the run and its positions commit
-- (stat_rollup_fold), so a reader's snapshot sees facts and rollup alike and stats_generation
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
    resolution_missed     integer NOT NULL
);
CREATE UNIQUE INDEX stat_rollup_group ON stat_rollup
    (month, institution_code, region_code, category_code, classification, channel) NULLS NOT DISTINCT;
-- the groups a change emptied, found without reading the others
CREATE INDEX stat_rollup_emptied ON stat_rollup (month) WHERE received = 0;

CREATE TABLE stat_rollup_times (
    month                 date NOT NULL,   -- the group, as in stat_rollup
    institution_code      text,
    region_code           text NOT NULL,
    category_code         text NOT NULL,
    classification        text NOT NULL,
    channel               text NOT NULL,
    -- 1 submission to verification, 2 dispatch to follow-up, 3 submission to completion, of the
    -- reports that have both times
    measure               smallint NOT NULL CHECK (measure BETWEEN 1 AND 3),
    seconds               float8 NOT NULL,   -- extract(epoch FROM later - earlier)
    n                     integer NOT NULL   -- reports of the group that took it
);
CREATE UNIQUE INDEX stat_rollup_times_key ON stat_rollup_times
    (month, institution_code, region_code, category_code, classification, channel, measure, seconds) NULLS NOT DISTINCT;
CREATE INDEX stat_rollup_times_emptied ON stat_rollup_times (month) WHERE n = 0;

-- The Jakarta month a report counts in.
CREATE FUNCTION jakarta_month(t timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
    SELECT date_trunc('month', t AT TIME ZONE 'Asia/Jakarta')::date
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


-- The reports `new_rows` as groups of the rollup minus the reports `old_rows` (the same reports
-- before a change; '{}' for none), by Jakarta month (by day: each day its own group, the first
-- column then the day); a group the change leaves as it was is not returned. With stat_times
-- below, the one definition of what the views count, for the rollup, its fold and the days the
-- views read from stat_reports.
CREATE FUNCTION stat_group(old_rows stat_reports[], new_rows stat_reports[], by_day boolean) RETURNS SETOF stat_rollup
LANGUAGE sql STABLE AS $$
    SELECT k.month, k.institution_code, k.region_code, k.category_code, k.classification, k.channel,
           k.counts[1]::integer, k.counts[2]::integer, k.counts[3]::integer, k.counts[4]::integer,
           k.counts[5]::integer, k.counts[6]::integer, k.counts[7]::integer, k.counts[8]::integer,
           k.counts[9]::integer, k.counts[10]::integer, k.supports, k.counts[11]::integer,
           k.counts[12]::integer, k.counts[13]::integer, k.counts[14]::integer, k.counts[15]::integer,
           k.counts[16]::integer, k.counts[17]::integer
    FROM (SELECT CASE WHEN by_day THEN (s.submitted_at AT TIME ZONE 'Asia/Jakarta')::date
                      ELSE jakarta_month(s.submitted_at) END AS month,
                 s.institution_code, s.region_code, s.category_code, s.classification, s.channel,
                 -- in the order of stat_rollup's columns, received to resolution_missed
                 ARRAY[sum(s.sign), COALESCE(sum(s.sign) FILTER (WHERE s.public_status = 'not_yet_verified'), 0),
                       COALESCE(sum(s.sign) FILTER (WHERE s.public_status = 'not_yet_followed_up'), 0),
                       COALESCE(sum(s.sign) FILTER (WHERE s.public_status = 'in_process'), 0),
                       COALESCE(sum(s.sign) FILTER (WHERE s.public_status = 'completed'), 0),
                       COALESCE(sum(s.sign) FILTER (WHERE s.status = 'postponed'), 0),
                       COALESCE(sum(s.sign) FILTER (WHERE s.status = 'archived'), 0),
                       COALESCE(sum(s.sign) FILTER (WHERE s.status = 'transferred'), 0),
                       COALESCE(sum(s.sign) FILTER (WHERE s.ever_postponed), 0),
                       COALESCE(sum(s.sign) FILTER (WHERE s.ever_transferred), 0),
                       COALESCE(sum(s.sign) FILTER (WHERE s.verified_at IS NOT NULL AND NOT s.verification_missed), 0),
                       COALESCE(sum(s.sign) FILTER (WHERE s.verified_at IS NOT NULL OR s.verification_missed), 0),
                       COALESCE(sum(s.sign) FILTER (WHERE s.followed_up_at IS NOT NULL AND NOT s.follow_up_missed), 0),
                       COALESCE(sum(s.sign) FILTER (WHERE s.followed_up_at IS NOT NULL OR s.follow_up_missed), 0),
                       COALESCE(sum(s.sign) FILTER (WHERE s.verification_missed), 0),
                       COALESCE(sum(s.sign) FILTER (WHERE s.follow_up_missed), 0),
                       COALESCE(sum(s.sign) FILTER (WHERE s.resolution_missed), 0)] AS counts,
                 sum(s.sign * s.supports) AS supports
          FROM (SELECT o.*, -1 AS sign FROM unnest(old_rows) o UNION ALL SELECT n.*, 1 FROM unnest(new_rows) n) s
          GROUP BY 1, 2, 3, 4, 5, 6) k
    WHERE k.counts <> array_fill(0::bigint, ARRAY[17]) OR k.supports <> 0
$$;

-- The times of the reports `new_rows` minus those of `old_rows`, as stat_group groups them: one
-- row per group, measure and time whose count the change moved.
CREATE FUNCTION stat_times(old_rows stat_reports[], new_rows stat_reports[], by_day boolean)
    RETURNS SETOF stat_rollup_times
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN by_day THEN (s.submitted_at AT TIME ZONE 'Asia/Jakarta')::date
                ELSE jakarta_month(s.submitted_at) END,
           s.institution_code, s.region_code, s.category_code, s.classification, s.channel,
           t.measure::smallint, t.seconds, sum(s.sign)::integer
    FROM (SELECT o.*, -1 AS sign FROM unnest(old_rows) o UNION ALL SELECT n.*, 1 FROM unnest(new_rows) n) s
    CROSS JOIN LATERAL (VALUES (1, extract(epoch FROM s.verified_at - s.submitted_at)::float8),
                               (2, extract(epoch FROM s.followed_up_at - s.dispatched_at)::float8),
                               (3, extract(epoch FROM s.completed_at - s.submitted_at)::float8)) t (measure, seconds)
    WHERE t.seconds IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    HAVING sum(s.sign) <> 0
$$;

-- Folds a change of the reports `ids` into the rollup: old_rows are those reports as they were
-- before it (read by the same transaction), stat_reports holds them as they are now. Each group
-- and each time the change moved is written once, however many reports and events of it the
-- change holds (a consumer run of aduan-stats); rows left at zero go. Rows are written in key
-- order, so two writers never wait for each other in opposite orders. SECURITY DEFINER:
-- aduan-stats reads the rollup and changes it only through this.
CREATE FUNCTION stat_rollup_fold(old_rows stat_reports[], ids text[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    new_rows stat_reports[] := ARRAY(SELECT s FROM stat_reports s WHERE s.tracking_id = ANY(ids));
BEGIN
    INSERT INTO stat_rollup AS r
    SELECT * FROM stat_group(old_rows, new_rows, false) g
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
        resolution_missed = r.resolution_missed + excluded.resolution_missed;
    INSERT INTO stat_rollup_times AS r
    SELECT * FROM stat_times(old_rows, new_rows, false) t
    ORDER BY t.month, t.institution_code, t.region_code, t.category_code, t.classification, t.channel, t.measure,
             t.seconds
    ON CONFLICT (month, institution_code, region_code, category_code, classification, channel, measure, seconds)
    DO UPDATE SET n = r.n + excluded.n;
    DELETE FROM stat_rollup WHERE received = 0;
    DELETE FROM stat_rollup_times WHERE n = 0;
END
$$;

-- Counted again from stat_reports: the recount (aduan-admin rebuild-stats) ends with it, so a
-- rollup that ever drifted is made right by the same command that makes the facts right; so do
-- writers of stat_reports other than aduan-stats' counting (seeds of tests and benchmarks).
CREATE FUNCTION stat_rollup_recount() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    facts stat_reports[] := ARRAY(SELECT s FROM stat_reports s);
BEGIN
    DELETE FROM stat_rollup;
    DELETE FROM stat_rollup_times;
    INSERT INTO stat_rollup SELECT * FROM stat_group('{}', facts, false);
    INSERT INTO stat_rollup_times SELECT * FROM stat_times('{}', facts, false);
END
$$;

SELECT stat_rollup_recount();
