-- Statistics (aduan-stats): what each report's events say about it, kept from the event log alone
-- so that the numbers can be rebuilt from the log and come out the same; and the satisfaction
-- survey (SKM/IKM, Permenpan RB 14/2017) with its raw answers.

-- One row per report, changed only by its events in log order: an event at or below last_seq has
-- been counted already (a replay, a second member) and changes nothing. Times are the events' own.
CREATE TABLE stat_reports (
    tracking_id         text PRIMARY KEY,
    last_seq            bigint NOT NULL,
    submitted_at        timestamptz NOT NULL,
    classification      text NOT NULL,
    category_code       text NOT NULL,
    region_code         text NOT NULL,
    channel             text NOT NULL,
    institution_code    text,          -- the holder named by the latest event naming one
    status              text NOT NULL,
    public_status       text NOT NULL,
    ever_postponed      boolean NOT NULL DEFAULT false,
    ever_transferred    boolean NOT NULL DEFAULT false,
    verified_at         timestamptz,   -- the desk's first decision: verified (also as not our
                                       -- authority), archived or linked as a duplicate
    dispatched_at       timestamptz,   -- the first arrival at an institution (routing)
    followed_up_at      timestamptz,   -- the first follow-up
    completed_at        timestamptz,   -- the latest closing; cleared by a reopen
    verification_missed boolean NOT NULL DEFAULT false,
    follow_up_missed    boolean NOT NULL DEFAULT false,
    resolution_missed   boolean NOT NULL DEFAULT false
);
CREATE INDEX stat_reports_submitted ON stat_reports (submitted_at);
CREATE INDEX stat_reports_institution ON stat_reports (institution_code);

-- Settings of the numbers, kept as data.
CREATE TABLE stats_settings (
    key   text PRIMARY KEY,
    value integer NOT NULL CHECK (value >= 0)
);

-- The nine elements U1..U9 answered 1..4, NULL when the respondent left one out. A reporter answers
-- once per closed report (with the reporter token); a service user answers about an institution.
CREATE TABLE survey_responses (
    id               bigserial PRIMARY KEY,
    respondent       text NOT NULL CHECK (respondent IN ('reporter', 'service_user')),
    tracking_id      text UNIQUE,
    institution_code text NOT NULL REFERENCES institutions (code),
    answers          smallint[] NOT NULL CHECK (cardinality(answers) = 9 AND 1 <= ALL (answers) AND 4 >= ALL (answers)),
    submitted_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((respondent = 'reporter') = (tracking_id IS NOT NULL))
);
CREATE INDEX survey_responses_institution ON survey_responses (institution_code, submitted_at);

-- Every institution with each of its ancestors and itself: subtree filters and per-level
-- aggregation join this small set once instead of walking the tree for every report.
CREATE VIEW institution_ancestors AS
    WITH RECURSIVE a (code, ancestor) AS (
        SELECT code, code FROM institutions
        UNION ALL
        SELECT a.code, i.parent_code FROM a JOIN institutions i ON i.code = a.ancestor WHERE i.parent_code IS NOT NULL
    )
    SELECT code, ancestor FROM a;

-- The grade of an IKM, on its value rounded to two decimals (DOMAIN.md): A 88.31–100, B 76.61–88.30,
-- C 65.00–76.60, D 25.00–64.99.
CREATE FUNCTION ikm_grade(ikm numeric) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN ikm IS NULL THEN NULL
                WHEN round(ikm, 2) >= 88.31 THEN 'A'
                WHEN round(ikm, 2) >= 76.61 THEN 'B'
                WHEN round(ikm, 2) >= 65.00 THEN 'C'
                ELSE 'D' END
$$;

-- The Jakarta calendar period an instant falls in, as text: 2026-11-26, 2026-11 or 2026.
CREATE FUNCTION jakarta_period(t timestamptz, unit text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT to_char(t AT TIME ZONE 'Asia/Jakarta',
                   CASE unit WHEN 'day' THEN 'YYYY-MM-DD' WHEN 'month' THEN 'YYYY-MM' ELSE 'YYYY' END)
$$;

-- A group's size as the public may see it: withheld (NULL) between 1 and min_count - 1, where so
-- few reports could point at a person (the group's other figures are then withheld too).
CREATE FUNCTION stat_count(n bigint, public boolean, min_count integer) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN public AND n > 0 AND n < min_count THEN NULL ELSE n END
$$;

-- 100 × IKM rounded half up, computed exactly: IKM = 25/9 × Σ sums[k]/counts[k] over the nine
-- elements, with integers only (numeric is exact for integers of any size), so a value such as
-- 88.305 rounds to 88.31 whatever the number of respondents. NULL when an element has no answer.
CREATE FUNCTION ikm_hundredths(sums numeric[], counts numeric[]) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
    WITH d AS (SELECT counts[1] * counts[2] * counts[3] * counts[4] * counts[5] * counts[6] * counts[7]
                      * counts[8] * counts[9] AS l)
    SELECT CASE WHEN cardinality(counts) <> 9 OR 0 = ANY (counts) THEN NULL
                ELSE div(5000 * (SELECT sum(sums[k] * div(d.l, counts[k])) FROM generate_series(1, 9) k) + 9 * d.l,
                         18 * d.l) END
    FROM d
$$;
