-- The lifecycle rules of DOMAIN.md as starter data: deadlines in working days, reason codes,
-- routing rules for the seeded regions, abuse words and pre-check thresholds. Operators change
-- these rows; loading again adds nothing twice and never overwrites their edits.
INSERT INTO deadline_rules (kind, classification, field_supervision, working_days, warn_before_days) VALUES
    ('verification',   NULL,                  NULL,  3,  NULL),
    ('follow_up',      NULL,                  NULL,  5,  NULL),
    ('reporter_reply', NULL,                  NULL,  10, 2),
    ('resolution',     'aspiration',          NULL,  5,  NULL),
    ('resolution',     'information_request', NULL,  5,  NULL),
    ('resolution',     'complaint',           false, 14, NULL),
    ('resolution',     'complaint',           true,  60, NULL)
ON CONFLICT DO NOTHING;

INSERT INTO reason_codes (action, code, label, label_en) VALUES
    ('archive',           'too_general',       'Laporan terlalu umum',                        'Too general'),
    ('archive',           'not_public_service','Bukan terkait kinerja pelayanan publik',       'Not about government performance'),
    ('archive',           'duplicate',         'Laporan ganda',                               'Duplicate'),
    ('archive',           'abusive',           'Mengandung SARA atau kata kasar',             'Abusive'),
    ('archive',           'spam',              'Iklan atau spam',                             'Spam or advertising'),
    ('postpone',          'needs_data',        'Perlu data tambahan dari pelapor',            'Needs more data from the reporter'),
    ('postpone',          'unclear_location',  'Lokasi kejadian tidak jelas',                 'Location unclear'),
    ('not_our_authority', 'other_institution', 'Kewenangan instansi lain',                    'Another institution is responsible'),
    ('not_our_authority', 'other_level',       'Kewenangan tingkat pemerintahan lain',        'Another level of government is responsible'),
    ('transfer',          'other_institution', 'Kewenangan instansi lain',                    'Another institution is responsible'),
    ('transfer',          'wrong_unit',        'Salah disposisi',                             'Dispatched to the wrong unit'),
    ('close',             'resolved',          'Permasalahan telah diselesaikan',             'Resolved'),
    ('close',             'answered',          'Pertanyaan telah dijawab',                    'Answered'),
    ('close',             'no_response',       'Pelapor tidak menanggapi',                    'Reporter did not respond'),
    ('reopen',            'not_resolved',      'Permasalahan belum selesai',                  'Not actually resolved'),
    ('reopen',            'closed_by_mistake', 'Ditutup karena kekeliruan',                   'Closed by mistake')
ON CONFLICT DO NOTHING;

-- City reports about roads, drainage, social assistance, civil registration, transport and
-- public order go straight to the city's own unit; provincial-level reports to the province's.
INSERT INTO routing_rules (category_code, region_code, institution_code)
SELECT rule.category, place.region, place.institution || '.' || rule.unit
FROM (VALUES ('21', 'PROV-21'), ('21.71', 'KOTA-21.71'), ('21.72', 'KOTA-21.72')) AS place (region, institution)
CROSS JOIN (VALUES ('JALAN', 'PUPR'), ('PU', 'PUPR'), ('SOSIAL', 'DINSOS'), ('DUKCAPIL', 'DUKCAPIL'),
                   ('HUB', 'DISHUB'), ('TRANTIB', 'SATPOLPP')) AS rule (category, unit)
-- a rule an admin removed stays removed (migration 0024)
WHERE NOT EXISTS (SELECT 1 FROM removed_reference_rows r
                  WHERE r.table_name = 'routing_rules' AND r.key = routing_rule_key(rule.category, place.region))
ON CONFLICT DO NOTHING;

INSERT INTO abuse_words (word) VALUES
    ('anjing'), ('bangsat'), ('bajingan'), ('brengsek'), ('goblok'), ('tolol'), ('kampret'), ('keparat')
ON CONFLICT DO NOTHING;

INSERT INTO lifecycle_settings (key, value) VALUES
    ('duplicate_similarity', 0.45),   -- pg_trgm similarity of title + body, 0..1
    ('duplicate_window_days', 30),    -- how far back a duplicate is looked for
    ('complete_body_min_chars', 40)   -- shorter bodies are flagged as incomplete
ON CONFLICT DO NOTHING;
