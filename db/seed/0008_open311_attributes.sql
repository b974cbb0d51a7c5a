-- Open311 service definitions: the extra fields a category asks for (docs/open311.md). Operators
-- change these rows; loading again never overwrites them.
INSERT INTO open311_attributes (category_code, code, position, datatype, required, description,
                                datatype_description, value_keys, value_names) VALUES
    ('JALAN.PJU', 'pole_number', 1, 'string', false, 'Nomor tiang lampu', 'Tertera pada tiang', '{}', '{}'),
    ('JALAN.PJU', 'fault', 2, 'singlevaluelist', true, 'Kerusakan', NULL,
     '{off,flicker,day_burning}', '{"Mati","Berkedip","Menyala siang hari"}')
ON CONFLICT DO NOTHING;
