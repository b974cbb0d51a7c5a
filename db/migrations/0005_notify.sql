-- Telling people (aduan-notify): who hears what, in which words, and the proof of every delivery.

-- A reporter hears that a report is about to close by itself a little before it does
-- (report.closing_soon, whose words speak of exactly that clock).
ALTER TABLE deadline_rules ADD COLUMN warn_before_days integer
    CHECK (warn_before_days IS NULL OR (warn_before_days > 0 AND kind = 'reporter_reply'));
UPDATE deadline_rules SET warn_before_days = 2 WHERE kind = 'reporter_reply' AND warn_before_days IS NULL;
ALTER TABLE report_deadlines ADD COLUMN warn_at timestamptz, ADD COLUMN warned_at timestamptz;
CREATE INDEX report_deadlines_warn ON report_deadlines (warn_at)
    WHERE ended_at IS NULL AND warned_at IS NULL AND warn_at IS NOT NULL;

-- The reporter's language for what we send them, and whether they want to hear from us at all.
ALTER TABLE reports
    ADD COLUMN language text NOT NULL DEFAULT 'id' CHECK (language IN ('id', 'en')),
    ADD COLUMN notify_reporter boolean NOT NULL DEFAULT true;

ALTER TABLE staff
    ADD COLUMN email text CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    ADD COLUMN language text NOT NULL DEFAULT 'id' CHECK (language IN ('id', 'en'));

-- Words for codes that appear in messages.
ALTER TABLE report_statuses ADD COLUMN label text, ADD COLUMN label_en text;
UPDATE report_statuses s SET label = v.label, label_en = v.label_en FROM (VALUES
    ('waiting_verification', 'Belum terverifikasi', 'Not yet verified'),
    ('postponed', 'Ditunda, menunggu data dari pelapor', 'Postponed, waiting for data from the reporter'),
    ('verified', 'Terverifikasi', 'Verified'),
    ('dispatched', 'Belum ditindaklanjuti', 'Not yet followed up'),
    ('transferred', 'Dialihkan ke instansi lain', 'Transferred to another institution'),
    ('in_process', 'Sedang diproses', 'In process'),
    ('reporter_replied', 'Sedang diproses (pelapor menanggapi)', 'In process (the reporter replied)'),
    ('closed_by_admin', 'Selesai', 'Completed'),
    ('closed_by_system', 'Selesai (ditutup otomatis)', 'Completed (closed automatically)'),
    ('archived', 'Diarsipkan', 'Archived')) AS v(status, label, label_en)
WHERE s.status = v.status;

CREATE TABLE deadline_kinds (
    kind     text PRIMARY KEY,
    label    text NOT NULL,
    label_en text NOT NULL
);

-- Who hears of which event, on which channel, in which words. Webhooks are not here: they
-- subscribe themselves (table webhooks).
--   reporter:     the report's reporter, when contact details were given and not opted out
--   holder_staff: active staff of the institution named by the event (the new holder)
--   admins_above: active admins of that institution and of every institution above it
--                 (national admins when the event names none)
--   only_action:  the rule applies only when the event's action is this one (report.dispatched
--                 is both the first routing and every further dispatch down the tree)
CREATE TABLE notification_rules (
    event_type text NOT NULL,
    only_action text,
    audience   text NOT NULL CHECK (audience IN ('reporter', 'holder_staff', 'admins_above')),
    channel    text NOT NULL CHECK (channel IN ('email', 'sms', 'inbox')),
    template   text NOT NULL,
    enabled    boolean NOT NULL DEFAULT true,
    CHECK (audience <> 'reporter' OR channel <> 'inbox'),
    CHECK (audience = 'reporter' OR channel <> 'sms')
);
CREATE UNIQUE INDEX notification_rules_key
    ON notification_rules (event_type, coalesce(only_action, ''), audience, channel);

-- {{name}} is replaced by a value (HTML-escaped in html_body); {{#name}}...{{/name}} is kept only
-- when the value is not empty. Names: tracking_id, title, status, institution, note, reason,
-- deadline, due_date, tracking_url, event_type.
CREATE TABLE notification_templates (
    template  text NOT NULL,
    language  text NOT NULL CHECK (language IN ('id', 'en')),
    subject   text NOT NULL,
    text_body text NOT NULL,
    html_body text NOT NULL,
    PRIMARY KEY (template, language)
);

-- Receivers that institutions or integrators registered. The secret signs every request and so
-- must be readable by aduan-notify; it is shown once, at registration.
CREATE TABLE webhooks (
    id               bigserial PRIMARY KEY,
    url              text NOT NULL CHECK (url ~ '^https?://[^[:space:]]+$' AND length(url) <= 2000),
    institution_code text NOT NULL REFERENCES institutions (code),
    event_types      text[] NOT NULL DEFAULT '{}',
    secret           text NOT NULL CHECK (length(secret) >= 32),
    description      text CHECK (length(description) <= 500),
    active           boolean NOT NULL DEFAULT true,
    disabled_reason  text,
    created_by       bigint REFERENCES staff (id),
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- One row per (event, recipient, channel): the unique key is what makes a replayed event or a
-- second replica add nothing. status: pending (due at next_attempt_at), sending (claimed until
-- lease_until), delivered, dead (attempts used up or receiver gone; staff may re-send),
-- cancelled (its webhook was disabled).
CREATE TABLE deliveries (
    id               bigserial PRIMARY KEY,
    delivery_id      text NOT NULL UNIQUE,
    event_id         text NOT NULL,
    event_seq        bigint NOT NULL,
    event_type       text NOT NULL,
    report_id        bigint REFERENCES reports (id),
    tracking_id      text,
    institution_code text REFERENCES institutions (code),
    channel          text NOT NULL CHECK (channel IN ('email', 'sms', 'webhook', 'inbox')),
    recipient_kind   text NOT NULL CHECK (recipient_kind IN ('reporter', 'staff', 'webhook')),
    recipient        text NOT NULL,
    staff_id         bigint REFERENCES staff (id),
    webhook_id       bigint REFERENCES webhooks (id),
    language         text NOT NULL,
    subject          text,
    body_text        text,
    body_html        text,
    payload          text,
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'delivered', 'dead', 'cancelled')),
    attempts         integer NOT NULL DEFAULT 0,
    max_attempts     integer NOT NULL CHECK (max_attempts > 0),
    -- attempts made before staff last re-sent it: backoff starts afresh from there
    retry_from       integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_until      timestamptz,
    last_error       text,
    delivered_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (event_id, channel, recipient_kind, recipient)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX deliveries_report ON deliveries (report_id);
CREATE INDEX deliveries_receiver ON deliveries (channel, recipient) WHERE status = 'sending';

CREATE TABLE delivery_attempts (
    delivery_id bigint NOT NULL REFERENCES deliveries (id),
    attempt     integer NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    outcome     text CHECK (outcome IN ('delivered', 'failed', 'gone', 'interrupted')),
    detail      text,
    PRIMARY KEY (delivery_id, attempt)
);

CREATE TABLE inbox_items (
    id          bigserial PRIMARY KEY,
    staff_id    bigint NOT NULL REFERENCES staff (id),
    delivery_id bigint NOT NULL UNIQUE REFERENCES deliveries (id),
    tracking_id text,
    event_type  text NOT NULL,
    subject     text NOT NULL,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz
);
CREATE INDEX inbox_items_staff ON inbox_items (staff_id, id);

-- What was delivered to whom and when, for the report's staff view. A reporter is never named:
-- staff see that the reporter was told, not the address.
CREATE FUNCTION report_deliveries_json(p_report_id bigint) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT coalesce(json_agg(json_build_object(
               'delivery_id', d.delivery_id, 'event_type', d.event_type, 'channel', d.channel,
               'recipient', CASE d.recipient_kind WHEN 'reporter' THEN 'reporter'
                                WHEN 'staff' THEN (SELECT s.username FROM staff s WHERE s.id = d.staff_id)
                                ELSE 'webhook ' || d.webhook_id END,
               'status', d.status, 'attempts', d.attempts,
               'delivered_at', iso_utc(d.delivered_at), 'last_error', d.last_error) ORDER BY d.id), '[]'::json)
    FROM deliveries d WHERE d.report_id = p_report_id
$$;
