-- Regions with Kemendagri codes (Permendagri on region codes): the Riau Islands province with its
-- regencies and cities, and districts of its two cities. Loading again adds nothing twice.
INSERT INTO regions (code, parent_code, name, kind) VALUES
    ('21',       NULL,    'Kepulauan Riau',              'province'),
    ('21.01',    '21',    'Kabupaten Karimun',           'regency'),
    ('21.02',    '21',    'Kabupaten Bintan',            'regency'),
    ('21.03',    '21',    'Kabupaten Natuna',            'regency'),
    ('21.04',    '21',    'Kabupaten Lingga',            'regency'),
    ('21.05',    '21',    'Kabupaten Kepulauan Anambas', 'regency'),
    ('21.71',    '21',    'Kota Batam',                  'city'),
    ('21.72',    '21',    'Kota Tanjungpinang',          'city'),
    ('21.71.01', '21.71', 'Belakang Padang',             'district'),
    ('21.71.02', '21.71', 'Bulang',                      'district'),
    ('21.71.04', '21.71', 'Sekupang',                    'district'),
    ('21.71.06', '21.71', 'Batam Kota',                  'district'),
    ('21.71.08', '21.71', 'Lubuk Baja',                  'district'),
    ('21.72.01', '21.72', 'Bukit Bestari',               'district'),
    ('21.72.02', '21.72', 'Tanjungpinang Timur',         'district'),
    ('21.72.03', '21.72', 'Tanjungpinang Kota',          'district'),
    ('21.72.04', '21.72', 'Tanjungpinang Barat',         'district')
ON CONFLICT (code) DO NOTHING;
