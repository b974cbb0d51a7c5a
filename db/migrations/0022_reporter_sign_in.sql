-- "My reports" (docs/api.md, "A reporter's own reports"): a reporter signs in with a one-time code
-- sent to the e-mail address or phone number given with their reports, then sees every report
-- that contact submitted and may recover a lost reporter token. Owned by aduan-intake, which owns
-- the reports and their tokens.
--
-- A contact key is how a contact is compared: an e-mail address trimmed and in lower case
-- ("email:siti@example.id"), a phone number as its digits with a leading 0 read as Indonesia's 62
-- ("phone:6281234567890"); reporter_sign_in.c makes the same key from what the reporter types.
CREATE FUNCTION reporter_contact_key_email(address text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN 'email:' || lower(btrim(address));
CREATE FUNCTION reporter_contact_key_phone(number text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN 'phone:' || regexp_replace(regexp_replace(number, '[^0-9]', '', 'g'), '^0', '62');
CREATE INDEX reports_contact_email ON reports (reporter_contact_key_email(reporter_email))
    WHERE reporter_email IS NOT NULL;
CREATE INDEX reports_contact_phone ON reports (reporter_contact_key_phone(reporter_phone))
    WHERE reporter_phone IS NOT NULL;

-- One row per code asked for, whether or not any report has the contact (the answer must not
-- tell). code_hash: HMAC-SHA256 of "contact key/code" under a key derived from the server secret,
-- so a copy of this table alone does not give the 8-digit codes away. A code dies when used, when
-- it expires, after 5 wrong tries, or when a newer code is asked for the same contact.
CREATE TABLE reporter_codes (
    id          bigserial PRIMARY KEY,
    contact_key text NOT NULL,
    code_hash   text NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    attempts    integer NOT NULL DEFAULT 0,
    dead_at     timestamptz
);
CREATE INDEX reporter_codes_contact ON reporter_codes (contact_key, id) WHERE dead_at IS NULL;
CREATE INDEX reporter_codes_created ON reporter_codes (created_at);

-- A signed-in reporter: the session token is shown once and stored as its SHA-256.
CREATE TABLE reporter_sessions (
    token_hash  text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    contact_key text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX reporter_sessions_expires ON reporter_sessions (expires_at);

-- A code goes out as a delivery of aduan-notify (event_type reporter.code) and so is in clear in
-- its row until it is sent. Once the delivery is over the words are dropped, so that only the
-- code's HMAC above remains; a code that could not be delivered is cancelled rather than dead
-- (staff may re-send dead deliveries, and a re-sent code would be both empty and expired).
CREATE FUNCTION deliveries_forget_sign_in_code() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.subject := NULL;
    NEW.body_text := NULL;
    NEW.payload := NULL;
    IF NEW.status = 'dead' THEN
        NEW.status := 'cancelled';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER deliveries_forget_sign_in_code BEFORE UPDATE OF status ON deliveries
    FOR EACH ROW WHEN (NEW.event_type = 'reporter.code' AND NEW.status IN ('delivered', 'dead'))
    EXECUTE FUNCTION deliveries_forget_sign_in_code();
