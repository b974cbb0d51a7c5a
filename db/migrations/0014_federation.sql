-- Federation (docs/open311.md "Federation"): aduan as an Open311 client. An upstream endpoint
-- (another aduan instance, or any GeoReport v2 server) is an institution of this instance with a
-- row here, so a routing rule, a dispatch or a transfer names it exactly as it names a local
-- institution; aduan-federate forwards what that institution receives.
CREATE TABLE federation_upstreams (
    institution_code     text PRIMARY KEY REFERENCES institutions (code),
    base_url             text NOT NULL CHECK (base_url ~ '^https?://[^/]+'),   -- e.g. https://lapor.go.id/open311/v2
    jurisdiction_id      text,
    -- the service_code sent for a category that federation_service_codes does not map
    default_service_code text,
    -- the upstream's api_key is never here: aduan-federate reads it from the file of this name in
    -- ADUAN_FEDERATE_KEYS_DIR (a secret, like every other)
    CHECK (institution_code ~ '^[A-Z0-9][A-Z0-9._-]{0,31}$')
);

-- Category (or its group) → the upstream's service_code.
CREATE TABLE federation_service_codes (
    institution_code text NOT NULL REFERENCES federation_upstreams (institution_code),
    category_code    text NOT NULL REFERENCES categories (code),
    service_code     text NOT NULL CHECK (length(service_code) BETWEEN 1 AND 64),
    PRIMARY KEY (institution_code, category_code)
);

-- One row per report and upstream, made in the transaction that moves aduan-federate's consumer
-- position: a report is forwarded to one upstream at most once. The upstream's id is recorded when
-- its answer comes; a crash in between resends the same bytes, which the upstream recognises.
CREATE TABLE federation_forwards (
    id               bigserial PRIMARY KEY,
    tracking_id      text NOT NULL REFERENCES reports (tracking_id),
    institution_code text NOT NULL REFERENCES federation_upstreams (institution_code),
    state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'forwarded', 'refused')),
    upstream_id      text,      -- service_request_id
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    alerted_at       timestamptz,                 -- the staff were told the upstream stays down
    upstream_status  text,                        -- the last open/closed seen upstream
    notes_seen       integer NOT NULL DEFAULT 0,  -- upstream notes already mirrored here
    polled_at        timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tracking_id, institution_code),
    CHECK ((state = 'forwarded') = (upstream_id IS NOT NULL))
);
CREATE INDEX federation_forwards_due ON federation_forwards (next_attempt_at) WHERE state = 'pending';
