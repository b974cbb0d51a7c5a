-- Open311 GeoReport v2 (docs/open311.md): the client applications that may post (one API key
-- each, stored only as its SHA-256, naming the channel its reports are counted under), the extra
-- fields a category asks for (service definitions), and how each status reads in Open311.

CREATE TABLE open311_keys (
    id            bigserial PRIMARY KEY,
    -- the app; its reports carry channel 'open311.<name>' (at most 32 characters, a stats code)
    name          text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,23}$'),
    key_hash      text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    -- the region its reports belong to (Open311 has no region; an app serves one jurisdiction)
    region_code   text NOT NULL REFERENCES regions (code),
    -- answer a POST with a token to poll (FixMyStreet's flow) instead of the id at once
    answer_token  boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz
);

CREATE TABLE open311_attributes (
    category_code        text NOT NULL REFERENCES categories (code),
    code                 text NOT NULL CHECK (code ~ '^[A-Za-z0-9_]{1,32}$'),
    position             integer NOT NULL CHECK (position > 0),
    datatype             text NOT NULL CHECK (datatype IN
                             ('string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist')),
    required             boolean NOT NULL,
    description          text NOT NULL CHECK (length(description) BETWEEN 1 AND 500),
    datatype_description text,
    value_keys           text[] NOT NULL DEFAULT '{}',
    value_names          text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (category_code, code),
    UNIQUE (category_code, position),
    CHECK (cardinality(value_keys) = cardinality(value_names)),
    CHECK ((datatype LIKE '%valuelist') = (cardinality(value_keys) > 0))
);

-- open/closed is the standard's status; extended is the mySociety value (servicerequestupdates,
-- extended_attributes).
CREATE TABLE open311_statuses (
    status    text PRIMARY KEY REFERENCES report_statuses (status),
    open311   text NOT NULL CHECK (open311 IN ('open', 'closed')),
    extended  text NOT NULL CHECK (extended IN ('open', 'closed', 'fixed', 'in_progress', 'planned',
                  'action_scheduled', 'investigating', 'duplicate', 'not_councils_responsibility',
                  'no_further_action', 'internal_referral', 'cancelled', 'reopen', 'for_triage'))
);
INSERT INTO open311_statuses (status, open311, extended) VALUES
    ('waiting_verification', 'open', 'for_triage'), ('postponed', 'open', 'investigating'),
    ('verified', 'open', 'open'), ('dispatched', 'open', 'action_scheduled'),
    ('transferred', 'open', 'internal_referral'), ('in_process', 'open', 'in_progress'),
    ('reporter_replied', 'open', 'in_progress'), ('closed_by_admin', 'closed', 'fixed'),
    ('closed_by_system', 'closed', 'closed'), ('archived', 'closed', 'no_further_action');
