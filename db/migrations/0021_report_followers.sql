-- Following a public report by e-mail (docs/api.md, "Following a report"). aduan-notify owns the
-- table: it sends the confirmation and every later message, so the addresses never leave it (no
-- event, no other service's command carries them).
--   email:            lower-cased, so the same address following twice is one follow
--   confirm_hash:     SHA-256 of the token of the confirmation mail (kept: a second click still confirms)
--   unsubscribe_hash: SHA-256 of the unsubscribe token, which is derived from the row id under the
--                     server's delivery id key, so every message can carry it without it being stored
--   asked_at:         when the last confirmation mail was asked for (rate limit per address, expiry)
-- Unsubscribing deletes the row: nothing of the follower stays.
CREATE TABLE report_followers (
    id               bigserial PRIMARY KEY,
    report_id        bigint NOT NULL REFERENCES reports (id),
    email            text NOT NULL CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$' AND length(email) <= 254),
    language         text NOT NULL DEFAULT 'id' CHECK (language IN ('id', 'en')),
    confirm_hash     text NOT NULL CHECK (confirm_hash ~ '^[0-9a-f]{64}$'),
    unsubscribe_hash text NOT NULL UNIQUE CHECK (unsubscribe_hash ~ '^[0-9a-f]{64}$'),
    asked_at         timestamptz NOT NULL DEFAULT now(),
    confirmed_at     timestamptz,
    UNIQUE (report_id, email)
);
CREATE UNIQUE INDEX report_followers_confirm ON report_followers (confirm_hash);
CREATE INDEX report_followers_address ON report_followers (email, asked_at);

-- A follower's messages are deliveries like any other (retries, proof); e-mails that carry an
-- unsubscribe link also carry it as RFC 8058 headers.
ALTER TABLE deliveries DROP CONSTRAINT deliveries_recipient_kind_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_recipient_kind_check
    CHECK (recipient_kind IN ('reporter', 'staff', 'webhook', 'follower'));
ALTER TABLE deliveries ADD COLUMN list_unsubscribe text CHECK (list_unsubscribe ~ '^https?://[^[:space:]<>,]+$');

-- Staff see that followers were told, never who.
CREATE OR REPLACE FUNCTION report_deliveries_json(p_report_id bigint) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT coalesce(json_agg(json_build_object(
               'delivery_id', d.delivery_id, 'event_type', d.event_type, 'channel', d.channel,
               'recipient', CASE d.recipient_kind WHEN 'reporter' THEN 'reporter' WHEN 'follower' THEN 'follower'
                                WHEN 'staff' THEN (SELECT s.username FROM staff s WHERE s.id = d.staff_id)
                                ELSE 'webhook ' || d.webhook_id END,
               'status', d.status, 'attempts', d.attempts,
               'delivered_at', iso_utc(d.delivered_at), 'last_error', d.last_error) ORDER BY d.id), '[]'::json)
    FROM deliveries d WHERE d.report_id = p_report_id
$$;

-- The words: the confirmation (follow_confirm, with {{confirm_url}}) and a public step
-- (follow_step, with {{unsubscribe_url}}); operators may edit them like any template.
INSERT INTO notification_templates (template, language, subject, text_body, html_body) VALUES
('follow_confirm', 'id', 'Konfirmasi: ikuti laporan {{tracking_id}}',
 E'Seseorang (semoga Anda) ingin mengikuti laporan {{tracking_id}}{{#title}} "{{title}}"{{/title}} dengan alamat ini.\nBuka tautan ini untuk mulai menerima kabar setiap langkahnya:\n{{confirm_url}}\n\nJika bukan Anda, abaikan surel ini: tanpa konfirmasi Anda tidak akan menerima apa pun.\n',
 E'<p>Seseorang (semoga Anda) ingin mengikuti laporan <strong>{{tracking_id}}</strong>{{#title}} &ldquo;{{title}}&rdquo;{{/title}} dengan alamat ini.</p><p><a href="{{confirm_url}}">Ya, kabari saya setiap langkahnya</a></p><p>Jika bukan Anda, abaikan surel ini: tanpa konfirmasi Anda tidak akan menerima apa pun.</p>'),
('follow_confirm', 'en', 'Confirm: follow report {{tracking_id}}',
 E'Someone (we hope you) asked to follow report {{tracking_id}}{{#title}} "{{title}}"{{/title}} with this address.\nOpen this link to start hearing of each of its steps:\n{{confirm_url}}\n\nIf it was not you, ignore this e-mail: without confirmation you will receive nothing.\n',
 E'<p>Someone (we hope you) asked to follow report <strong>{{tracking_id}}</strong>{{#title}} &ldquo;{{title}}&rdquo;{{/title}} with this address.</p><p><a href="{{confirm_url}}">Yes, tell me of each step</a></p><p>If it was not you, ignore this e-mail: without confirmation you will receive nothing.</p>'),
('follow_step', 'id', 'Laporan yang Anda ikuti {{tracking_id}}: {{status}}',
 E'Laporan {{tracking_id}}{{#title}} "{{title}}"{{/title}} kini berstatus: {{status}}{{#institution}} ({{institution}}){{/institution}}.{{#note}}\n\n{{note}}{{/note}}\n\nLihat laporan: {{tracking_url}}\n\nBerhenti mengikuti: {{unsubscribe_url}}\n',
 E'<p>Laporan <strong>{{tracking_id}}</strong>{{#title}} &ldquo;{{title}}&rdquo;{{/title}} kini berstatus: <strong>{{status}}</strong>{{#institution}} ({{institution}}){{/institution}}.</p>{{#note}}<blockquote>{{note}}</blockquote>{{/note}}<p><a href="{{tracking_url}}">Lihat laporan</a></p><p><a href="{{unsubscribe_url}}">Berhenti mengikuti laporan ini</a></p>'),
('follow_step', 'en', 'The report you follow, {{tracking_id}}: {{status}}',
 E'Report {{tracking_id}}{{#title}} "{{title}}"{{/title}} is now: {{status}}{{#institution}} ({{institution}}){{/institution}}.{{#note}}\n\n{{note}}{{/note}}\n\nSee the report: {{tracking_url}}\n\nStop following: {{unsubscribe_url}}\n',
 E'<p>Report <strong>{{tracking_id}}</strong>{{#title}} &ldquo;{{title}}&rdquo;{{/title}} is now: <strong>{{status}}</strong>{{#institution}} ({{institution}}){{/institution}}.</p>{{#note}}<blockquote>{{note}}</blockquote>{{/note}}<p><a href="{{tracking_url}}">See the report</a></p><p><a href="{{unsubscribe_url}}">Stop following this report</a></p>')
ON CONFLICT DO NOTHING;
