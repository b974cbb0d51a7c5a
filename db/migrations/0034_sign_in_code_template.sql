-- The "my reports" sign-in code's words become a template like any other (sign_in_code, with
-- {{code}} and {{valid_minutes}}, both required in text_body and html_body: a message without the
-- code is useless). text_body is also the SMS text. Operators edit it through the templates admin;
-- these rows are added only when missing.
INSERT INTO notification_templates (template, language, subject, text_body, html_body) VALUES
('sign_in_code', 'id', 'Kode "Laporan saya": {{code}}',
 E'Kode Anda untuk "Laporan saya" adalah {{code}}. Berlaku {{valid_minutes}} menit dan hanya sekali. Jika Anda tidak memintanya, abaikan pesan ini.',
 E'<p>Kode Anda untuk &ldquo;Laporan saya&rdquo; adalah <strong>{{code}}</strong>.</p><p>Berlaku {{valid_minutes}} menit dan hanya sekali. Jika Anda tidak memintanya, abaikan pesan ini.</p>'),
('sign_in_code', 'en', 'Your code for "My reports": {{code}}',
 E'Your code for "My reports" is {{code}}. It is valid for {{valid_minutes}} minutes and once only. If you did not ask for it, ignore this message.',
 E'<p>Your code for &ldquo;My reports&rdquo; is <strong>{{code}}</strong>.</p><p>It is valid for {{valid_minutes}} minutes and once only. If you did not ask for it, ignore this message.</p>')
ON CONFLICT DO NOTHING;

-- The code mail now has an HTML part: it is dropped with the other words once the delivery is over.
CREATE OR REPLACE FUNCTION deliveries_forget_sign_in_code() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.subject := NULL;
    NEW.body_text := NULL;
    NEW.body_html := NULL;
    NEW.payload := NULL;
    IF NEW.status = 'dead' THEN
        NEW.status := 'cancelled';
    END IF;
    RETURN NEW;
END $$;
