-- The institution tree: the national level with the ministries most reports concern, the Riau
-- Islands provincial government, the cities of Batam and Tanjungpinang, and the usual work units
-- (OPD) of each regional government. Loading again adds nothing twice.
INSERT INTO institutions (code, parent_code, name, kind, region_code, is_region_coordinator) VALUES
    ('NASIONAL',   NULL,       'Pengelola SP4N-LAPOR! Nasional (KemenPAN-RB)',          'national', NULL, false),
    ('KEMENPUPR',  'NASIONAL', 'Kementerian Pekerjaan Umum dan Perumahan Rakyat',      'ministry', NULL, false),
    ('KEMENSOS',   'NASIONAL', 'Kementerian Sosial',                                   'ministry', NULL, false),
    ('KEMENHUB',   'NASIONAL', 'Kementerian Perhubungan',                              'ministry', NULL, false),
    ('KEMENDAGRI', 'NASIONAL', 'Kementerian Dalam Negeri',                             'ministry', NULL, false),
    ('KEMENKES',   'NASIONAL', 'Kementerian Kesehatan',                                'ministry', NULL, false),
    ('PROV-21',    'NASIONAL', 'Pemerintah Provinsi Kepulauan Riau',                   'province', '21', true),
    ('KOTA-21.71', 'PROV-21',  'Pemerintah Kota Batam',                                'city',     '21.71', true),
    ('KOTA-21.72', 'PROV-21',  'Pemerintah Kota Tanjungpinang',                        'city',     '21.72', true)
ON CONFLICT (code) DO NOTHING;

-- Work units (OPD): the same six for the province and each city.
INSERT INTO institutions (code, parent_code, name, kind, region_code)
SELECT parent.code || '.' || unit.suffix,
       parent.code,
       unit.name || ' ' || parent.place,
       'unit',
       parent.region_code
FROM (VALUES ('PROV-21',    'Provinsi Kepulauan Riau', '21'),
             ('KOTA-21.71', 'Kota Batam',              '21.71'),
             ('KOTA-21.72', 'Kota Tanjungpinang',      '21.72')) AS parent (code, place, region_code)
CROSS JOIN (VALUES ('PUPR',      'Dinas Pekerjaan Umum dan Penataan Ruang'),
                   ('DINSOS',    'Dinas Sosial'),
                   ('DISHUB',    'Dinas Perhubungan'),
                   ('DUKCAPIL',  'Dinas Kependudukan dan Pencatatan Sipil'),
                   ('SATPOLPP',  'Satuan Polisi Pamong Praja'),
                   ('KOMINFO',   'Dinas Komunikasi dan Informatika')) AS unit (suffix, name)
ON CONFLICT (code) DO NOTHING;
