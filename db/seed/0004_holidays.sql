-- Starter holiday calendar for 2026: national holidays and joint leave days (cuti bersama) as set
-- by the joint ministerial decree (SKB 3 Menteri). Operators keep this table current; dates of
-- the lunar holidays are as announced and must be checked against each year's decree.
INSERT INTO holidays (day, name, kind)
SELECT v.day::date, v.name, v.kind FROM (VALUES
    ('2026-01-01', 'Tahun Baru 2026 Masehi',                 'national'),
    ('2026-01-16', 'Isra Mikraj Nabi Muhammad SAW',          'national'),
    ('2026-02-16', 'Cuti Bersama Tahun Baru Imlek',          'joint_leave'),
    ('2026-02-17', 'Tahun Baru Imlek 2577 Kongzili',         'national'),
    ('2026-03-18', 'Cuti Bersama Hari Suci Nyepi',           'joint_leave'),
    ('2026-03-19', 'Hari Suci Nyepi Tahun Baru Saka 1948',   'national'),
    ('2026-03-20', 'Cuti Bersama Idulfitri 1447 H',          'joint_leave'),
    ('2026-03-21', 'Hari Raya Idulfitri 1447 H',             'national'),
    ('2026-03-22', 'Hari Raya Idulfitri 1447 H',             'national'),
    ('2026-03-23', 'Cuti Bersama Idulfitri 1447 H',          'joint_leave'),
    ('2026-03-24', 'Cuti Bersama Idulfitri 1447 H',          'joint_leave'),
    ('2026-04-03', 'Wafat Yesus Kristus',                    'national'),
    ('2026-04-05', 'Kebangkitan Yesus Kristus (Paskah)',     'national'),
    ('2026-05-01', 'Hari Buruh Internasional',               'national'),
    ('2026-05-14', 'Kenaikan Yesus Kristus',                 'national'),
    ('2026-05-15', 'Cuti Bersama Kenaikan Yesus Kristus',    'joint_leave'),
    ('2026-05-27', 'Hari Raya Iduladha 1447 H',              'national'),
    ('2026-05-28', 'Cuti Bersama Iduladha 1447 H',           'joint_leave'),
    ('2026-05-31', 'Hari Raya Waisak 2570 BE',               'national'),
    ('2026-06-01', 'Hari Lahir Pancasila',                   'national'),
    ('2026-06-16', 'Tahun Baru Islam 1448 H',                'national'),
    ('2026-08-17', 'Hari Kemerdekaan Republik Indonesia',    'national'),
    ('2026-08-25', 'Maulid Nabi Muhammad SAW',               'national'),
    ('2026-12-24', 'Cuti Bersama Hari Raya Natal',           'joint_leave'),
    ('2026-12-25', 'Hari Raya Natal',                        'national')
) AS v (day, name, kind)
-- a day an admin removed stays removed (migration 0024)
WHERE NOT EXISTS (SELECT 1 FROM removed_reference_rows r WHERE r.table_name = 'holidays' AND r.key = v.day)
ON CONFLICT (day) DO NOTHING;
