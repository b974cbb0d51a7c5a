-- The report's life after submission: staff and their sessions, the rules an operator changes
-- (deadlines, reason codes, routing, abuse words, duplicate detection), the working-day calendar,
-- deadline clocks, pre-check results and duplicate links. See docs/lifecycle.md.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Staff accounts. Passwords are argon2id strings from libsodium (they carry their own salt and
-- cost); session tokens are random and only their SHA-256 is stored.
CREATE TABLE staff (
    id               bigserial PRIMARY KEY,
    username         text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
    display_name     text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    role             text NOT NULL CHECK (role IN ('national_admin', 'institution_admin', 'unit_liaison', 'analyst')),
    institution_code text NOT NULL REFERENCES institutions (code),
    password_hash    text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    active           boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    -- A national admin speaks for the whole tree, so it must sit at its root.
    CHECK (role <> 'national_admin' OR institution_code = 'NASIONAL')
);

CREATE TABLE staff_sessions (
    token_hash   text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    staff_id     bigint NOT NULL REFERENCES staff (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX staff_sessions_expiry ON staff_sessions (expires_at);

-- True when `code` is `root` or below it in the institution tree.
CREATE FUNCTION institution_within(code text, root text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE up (c) AS (
        SELECT code
        UNION ALL
        SELECT i.parent_code FROM institutions i JOIN up ON i.code = up.c WHERE i.parent_code IS NOT NULL
    )
    SELECT code IS NOT NULL AND root IS NOT NULL AND EXISTS (SELECT 1 FROM up WHERE c = root)
$$;

-- Timestamps in documents rendered by SQL, the same shape as the API's elsewhere.
CREATE FUNCTION iso_utc(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- Working days: not Saturday or Sunday in Asia/Jakarta, and not in `holidays` (national holidays
-- and joint leave). A deadline of n working days from `start` ends at midnight (Jakarta) after the
-- n-th working day following the day of `start`.
CREATE FUNCTION is_working_day(d date) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT extract(isodow FROM d) < 6 AND NOT EXISTS (SELECT 1 FROM holidays WHERE day = d)
$$;

CREATE FUNCTION working_deadline(start timestamptz, days int) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
DECLARE
    d date := (start AT TIME ZONE 'Asia/Jakarta')::date;
    counted int := 0;
BEGIN
    IF days < 0 THEN
        RAISE EXCEPTION 'working_deadline: negative days %', days;
    END IF;
    WHILE counted < days LOOP
        d := d + 1;
        IF is_working_day(d) THEN
            counted := counted + 1;
        END IF;
    END LOOP;
    RETURN ((d + 1)::timestamp) AT TIME ZONE 'Asia/Jakarta';
END $$;

-- How long each clock runs, in working days. `classification` and `field_supervision` narrow a
-- rule; the most specific matching row wins (NULL matches anything).
CREATE TABLE deadline_rules (
    kind              text NOT NULL CHECK (kind IN ('verification', 'follow_up', 'resolution', 'reporter_reply')),
    classification    text CHECK (classification IN ('complaint', 'aspiration', 'information_request')),
    field_supervision boolean,
    working_days      int NOT NULL CHECK (working_days BETWEEN 1 AND 365),
    UNIQUE NULLS NOT DISTINCT (kind, classification, field_supervision)
);

-- Reasons a negative action must give (archive, postpone, not our authority, transfer, close).
CREATE TABLE reason_codes (
    code     text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    action   text NOT NULL,
    label    text NOT NULL,
    label_en text NOT NULL,
    active   boolean NOT NULL DEFAULT true,
    PRIMARY KEY (action, code)
);

-- Where verified reports go when the reporter named no (valid) institution: the most specific
-- rule wins (a category beats its group, a deeper region beats its ancestors); without a rule,
-- the coordinator of the nearest region that has one; the national desk last of all.
CREATE TABLE routing_rules (
    id               bigserial PRIMARY KEY,
    category_code    text REFERENCES categories (code),
    region_code      text REFERENCES regions (code),
    institution_code text NOT NULL REFERENCES institutions (code),
    UNIQUE NULLS NOT DISTINCT (category_code, region_code)
);

-- Words the pre-check flags (matched case-insensitively as whole words).
CREATE TABLE abuse_words (
    word text PRIMARY KEY CHECK (word = lower(word) AND length(word) BETWEEN 2 AND 60)
);

-- Small operator-tunable numbers of the pre-checks.
CREATE TABLE lifecycle_settings (
    key   text PRIMARY KEY,
    value numeric NOT NULL
);

-- Every status of the state machine (common/report_lifecycle.c) and the public bucket it counts
-- in: the four buckets of DOMAIN.md, and "archived" for reports that were not taken up.
CREATE TABLE report_statuses (
    status        text PRIMARY KEY,
    public_status text NOT NULL CHECK (public_status IN
                      ('not_yet_verified', 'not_yet_followed_up', 'in_process', 'completed', 'archived'))
);
INSERT INTO report_statuses (status, public_status) VALUES
    ('waiting_verification', 'not_yet_verified'), ('postponed', 'not_yet_verified'),
    ('verified', 'not_yet_followed_up'), ('dispatched', 'not_yet_followed_up'),
    ('transferred', 'not_yet_followed_up'), ('in_process', 'in_process'), ('reporter_replied', 'in_process'),
    ('closed_by_admin', 'completed'), ('closed_by_system', 'completed'), ('archived', 'archived');

ALTER TABLE reports
    ADD COLUMN duplicate_of bigint REFERENCES reports (id),
    ADD CONSTRAINT reports_status_known FOREIGN KEY (status) REFERENCES report_statuses (status);
CREATE INDEX reports_trgm ON reports USING gin ((title || ' ' || body) gin_trgm_ops);

-- A resent command (same request id) is answered from here instead of acting twice.
ALTER TABLE report_actions
    ADD COLUMN request_id text UNIQUE,
    ADD COLUMN reason_code text,
    ADD COLUMN institution_code text,
    ADD COLUMN attachment text;

-- One row per running clock. At most one open clock of a kind per report. A clock ends `met`
-- (the awaited step happened) or `cancelled` (the report moved on another way); `missed_at` is
-- set once, by whoever first sees it overdue, together with its report.deadline_missed event.
CREATE TABLE report_deadlines (
    id               bigserial PRIMARY KEY,
    report_id        bigint NOT NULL REFERENCES reports (id),
    kind             text NOT NULL,
    institution_code text REFERENCES institutions (code),
    started_at       timestamptz NOT NULL,
    due_at           timestamptz NOT NULL,
    ended_at         timestamptz,
    outcome          text CHECK (outcome IN ('met', 'cancelled')),
    missed_at        timestamptz,
    CHECK ((ended_at IS NULL) = (outcome IS NULL))
);
CREATE UNIQUE INDEX report_deadlines_one_open ON report_deadlines (report_id, kind) WHERE ended_at IS NULL;
CREATE INDEX report_deadlines_due ON report_deadlines (due_at) WHERE ended_at IS NULL AND missed_at IS NULL;

-- What aduan-verify's automatic pre-checks found.
CREATE TABLE report_prechecks (
    report_id           bigint PRIMARY KEY REFERENCES reports (id),
    missing             text[] NOT NULL,
    abuse_words         text[] NOT NULL,
    possible_duplicates text[] NOT NULL,
    checked_at          timestamptz NOT NULL
);
