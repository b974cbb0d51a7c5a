-- The two-level category tree (group → subcategory) of DOMAIN.md. Loading again adds nothing twice.
INSERT INTO categories (code, parent_code, name, name_en) VALUES
    ('PU',        NULL, 'Pekerjaan Umum',         'Public works'),
    ('JALAN',     NULL, 'Infrastruktur Jalan',    'Road infrastructure'),
    ('SOSIAL',    NULL, 'Sosial',                 'Social affairs'),
    ('DUKCAPIL',  NULL, 'Kependudukan',           'Civil registration'),
    ('HUB',       NULL, 'Perhubungan',            'Transport'),
    ('TRANTIB',   NULL, 'Ketertiban Umum',        'Public order'),
    ('KES',       NULL, 'Kesehatan',              'Health'),
    ('DIK',       NULL, 'Pendidikan',             'Education'),
    ('LAIN',      NULL, 'Lainnya',                'Other')
ON CONFLICT (code) DO NOTHING;

INSERT INTO categories (code, parent_code, name, name_en) VALUES
    ('PU.DRAINASE',       'PU',       'Drainase',                     'Drainage'),
    ('PU.AIR',            'PU',       'Air Bersih',                   'Clean water'),
    ('PU.BANJIR',         'PU',       'Banjir',                       'Flooding'),
    ('JALAN.BERLUBANG',   'JALAN',    'Jalan Berlubang',              'Potholes'),
    ('JALAN.PJU',         'JALAN',    'Penerangan Jalan',             'Street lighting'),
    ('JALAN.TROTOAR',     'JALAN',    'Trotoar',                      'Sidewalks'),
    ('SOSIAL.BANSOS',     'SOSIAL',   'Bantuan Sosial',               'Social assistance'),
    ('SOSIAL.DISABILITAS','SOSIAL',   'Layanan Disabilitas',          'Disability services'),
    ('DUKCAPIL.KTP',      'DUKCAPIL', 'KTP Elektronik',               'Identity card (e-KTP)'),
    ('DUKCAPIL.KK',       'DUKCAPIL', 'Kartu Keluarga',               'Family card'),
    ('DUKCAPIL.AKTA',     'DUKCAPIL', 'Akta Kelahiran',               'Birth certificate'),
    ('HUB.ANGKUTAN',      'HUB',      'Angkutan Umum',                'Public transport'),
    ('HUB.PARKIR',        'HUB',      'Parkir',                       'Parking'),
    ('HUB.RAMBU',         'HUB',      'Rambu dan Lampu Lalu Lintas',  'Traffic signs and lights'),
    ('TRANTIB.PKL',       'TRANTIB',  'Pedagang Kaki Lima',           'Street vendors'),
    ('TRANTIB.GANGGUAN',  'TRANTIB',  'Gangguan Ketertiban',          'Public disturbance'),
    ('KES.PUSKESMAS',     'KES',      'Layanan Puskesmas',            'Community health centres'),
    ('KES.BPJS',          'KES',      'Jaminan Kesehatan (BPJS)',     'Health insurance (BPJS)'),
    ('DIK.PPDB',          'DIK',      'Penerimaan Peserta Didik Baru','School admissions'),
    ('DIK.SEKOLAH',       'DIK',      'Sarana Sekolah',               'School facilities'),
    ('LAIN.UMUM',         'LAIN',     'Lain-lain',                    'Other matters')
ON CONFLICT (code) DO NOTHING;
