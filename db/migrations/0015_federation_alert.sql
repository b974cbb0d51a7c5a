-- Federation: the staff hear in their inbox when a report is stuck on its way to an upstream
-- Open311 server (aduan-federate's report.upstream_down, docs/event-stream.md).
INSERT INTO notification_rules (event_type, only_action, audience, channel, template) VALUES
    ('report.upstream_down', NULL, 'admins_above', 'inbox', 'upstream_down')
ON CONFLICT DO NOTHING;

INSERT INTO notification_templates (template, language, subject, text_body, html_body) VALUES
('upstream_down', 'id', 'Laporan {{tracking_id}} belum terkirim ke {{institution}}',
 E'Laporan {{tracking_id}} belum dapat diteruskan ke {{institution}}.{{#note}}\nSebab terakhir: {{note}}{{/note}}\nPengiriman dicoba lagi otomatis.\n',
 E'<p>Laporan <strong>{{tracking_id}}</strong> belum dapat diteruskan ke <strong>{{institution}}</strong>.</p>{{#note}}<p>Sebab terakhir: {{note}}</p>{{/note}}<p>Pengiriman dicoba lagi otomatis.</p>'),
('upstream_down', 'en', 'Report {{tracking_id}} not yet forwarded to {{institution}}',
 E'Report {{tracking_id}} could not be forwarded to {{institution}} yet.{{#note}}\nLast reason: {{note}}{{/note}}\nIt is tried again by itself.\n',
 E'<p>Report <strong>{{tracking_id}}</strong> could not be forwarded to <strong>{{institution}}</strong> yet.</p>{{#note}}<p>Last reason: {{note}}</p>{{/note}}<p>It is tried again by itself.</p>')
ON CONFLICT DO NOTHING;
