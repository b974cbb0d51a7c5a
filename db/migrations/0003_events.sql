-- The append-only event log and the positions of its consumer groups (DESIGN.md properties 1-4).
--
-- A writer inserts its event in the same transaction as the state change, with seq NULL: the id
-- from bigserial is insertion order, not commit order (a transaction holding id 10 can commit after
-- id 11 is visible), so readers never follow it. A sequencer later numbers committed rows from the
-- dense counter in event_counter, under an advisory lock, in one transaction: every reader sees the
-- same order 1, 2, 3, ... with no gaps, late commits get the next numbers when they become visible,
-- and rolled-back events are never seen.
CREATE TABLE events (
    id               bigserial PRIMARY KEY,
    seq              bigint UNIQUE,
    event_id         text NOT NULL UNIQUE,
    type             text NOT NULL,
    schema_version   int NOT NULL,
    occurred_at      timestamptz NOT NULL DEFAULT now(),
    report_id        bigint REFERENCES reports (id),
    tracking_id      text,
    institution_code text,
    actor_role       text NOT NULL,
    actor_id         text,
    payload          bytea NOT NULL
);
CREATE INDEX events_unsequenced ON events (id) WHERE seq IS NULL;

CREATE TABLE event_counter (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    last_seq bigint NOT NULL
);
INSERT INTO event_counter (last_seq) VALUES (0);

-- Where each partition of each consumer group stands: the last seq whose work is committed. The
-- work an event causes and the move of this row commit in one transaction.
CREATE TABLE consumer_positions (
    group_name text NOT NULL,
    partition  int NOT NULL,
    seq        bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (group_name, partition)
);

-- Live members of each group, so each can take its fair share of the partitions.
CREATE TABLE consumer_members (
    group_name text NOT NULL,
    member_id  text NOT NULL,
    last_seen  timestamptz NOT NULL,
    PRIMARY KEY (group_name, member_id)
);
