-- Settings of the statistics. Operators change these rows; loading again never overwrites them.
INSERT INTO stats_settings (key, value) VALUES
    ('ranking_min_reports', 10),   -- an institution is ranked only with at least this many reports
    ('public_min_count', 5)        -- public figures below this count are withheld (a person could be recognised)
ON CONFLICT DO NOTHING;
