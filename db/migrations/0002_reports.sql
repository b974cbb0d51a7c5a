-- Reports, their public action log, and the idempotency records of submissions.

CREATE TABLE reports (
    id                  bigserial PRIMARY KEY,
    tracking_id         text NOT NULL UNIQUE CHECK (tracking_id ~ '^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$'),
    classification      text NOT NULL CHECK (classification IN ('complaint', 'aspiration', 'information_request')),
    -- Complaints needing field supervision get the 60-working-day resolution deadline.
    field_supervision   boolean NOT NULL DEFAULT false,
    title               text NOT NULL,
    body                text NOT NULL,
    category_code       text NOT NULL REFERENCES categories (code),
    region_code         text NOT NULL REFERENCES regions (code),
    incident_date       date,
    address             text,
    lat                 double precision CHECK (lat BETWEEN -90 AND 90),
    lon                 double precision CHECK (lon BETWEEN -180 AND 180),
    target_institution  text REFERENCES institutions (code),
    institution_code    text REFERENCES institutions (code),
    anonymous           boolean NOT NULL,
    confidential        boolean NOT NULL,
    reporter_name       text,
    reporter_email      text,
    reporter_phone      text,
    channel             text NOT NULL,
    status              text NOT NULL,
    reporter_token_hash text NOT NULL CHECK (reporter_token_hash ~ '^[0-9a-f]{64}$'),
    submitted_at        timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((lat IS NULL) = (lon IS NULL))
);
CREATE INDEX reports_status ON reports (status);
CREATE INDEX reports_institution ON reports (institution_code);
CREATE INDEX reports_region_category ON reports (region_code, category_code, submitted_at);

-- The log of everything that happened to a report, shown on its tracking page.
-- actor_id is never a reporter's identity: reporters act through their token, logged as role only.
CREATE TABLE report_actions (
    id            bigserial PRIMARY KEY,
    report_id     bigint NOT NULL REFERENCES reports (id),
    at            timestamptz NOT NULL DEFAULT now(),
    action        text NOT NULL,
    actor_role    text NOT NULL,
    actor_id      text,
    status_after  text NOT NULL,
    note          text
);
CREATE INDEX report_actions_report ON report_actions (report_id, id);

-- One row per Idempotency-Key (or per command request id when the client sent none): the
-- fingerprint of what was asked and the encoded answer given, replayed for identical retries.
-- The answer holds the reporter token, so rows are kept only for a day (see intake's purge).
CREATE TABLE submission_keys (
    key           text PRIMARY KEY,
    fingerprint   text NOT NULL,
    report_id     bigint NOT NULL REFERENCES reports (id),
    response      bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX submission_keys_created ON submission_keys (created_at);
