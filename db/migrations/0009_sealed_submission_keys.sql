-- Idempotency records no longer hold what a reader of the table could use: the Idempotency-Key is
-- kept only as a hash keyed by the server secret (ADUAN_IDEMPOTENCY_SECRET), and the first answer,
-- reporter token included, sealed under a key derived from the Idempotency-Key and that secret
-- (services/intake/submission_seal.h). Rows written before held both in clear: they are dropped,
-- so a retry of a submission older than this migration is taken as a new one.
DELETE FROM submission_keys;
ALTER TABLE submission_keys RENAME COLUMN key TO key_hash;
ALTER TABLE submission_keys RENAME COLUMN response TO sealed_response;
ALTER TABLE submission_keys ADD CONSTRAINT submission_keys_key_hash_shape CHECK (key_hash ~ '^[0-9a-f]{64}$');
