#include "event_log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Advisory lock of the sequencer ("aduanseq"); transaction-scoped, so a crash releases it. */
#define SEQUENCER_LOCK_KEY "6111047110115101113"

int event_log_append(db_t *db, const event_t *e, db_error_t *error)
{
    size_t hex_size = e->payload_size * 2 + 1;
    char *hex = malloc(hex_size), version[16], report_id[32], at[32];
    if (!hex)
        return -1;
    sodium_bin2hex(hex, hex_size, e->payload, e->payload_size);
    snprintf(version, sizeof version, "%u", e->version);
    snprintf(report_id, sizeof report_id, "%lld", (long long) e->report_id);
    snprintf(at, sizeof at, "%lld", (long long) e->occurred_at_ms);
    const char *params[] = {e->id, e->type, version, e->occurred_at_ms ? at : NULL, e->report_id ? report_id : NULL,
                            e->tracking_id, e->institution, e->actor_role, e->actor_id, hex};
    int rc = db_exec_ok(db,
        "INSERT INTO events (event_id, type, schema_version, occurred_at, report_id, tracking_id, institution_code, "
        "actor_role, actor_id, payload) VALUES ($1, $2, $3, coalesce(to_timestamp($4::bigint / 1000.0), now()), $5, "
        "$6, $7, $8, $9, decode($10, 'hex'))", 10, params, error);
    free(hex);
    const char *channel[] = {EVENT_LOG_CHANNEL};
    return rc == 0 ? db_exec_ok(db, "SELECT pg_notify($1, '')", 1, channel, error) : -1;
}

typedef struct {
    int max;
    int numbered;
} sequence_tx_t;

static int sequence_tx(db_t *db, void *ctx, db_error_t *error)
{
    sequence_tx_t *tx = ctx;
    char max[16];
    snprintf(max, sizeof max, "%d", tx->max);
    const char *lock[] = {SEQUENCER_LOCK_KEY};
    if (db_exec_ok(db, "SELECT pg_advisory_xact_lock($1::bigint)", 1, lock, error) != 0)
        return -1;
    const char *params[] = {max};
    PGresult *r = db_exec(db,
        "WITH counter AS (SELECT last_seq FROM event_counter FOR UPDATE), "
        "next AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM events WHERE seq IS NULL ORDER BY id LIMIT $1), "
        "numbered AS (UPDATE events e SET seq = counter.last_seq + next.n FROM next, counter "
        "             WHERE e.id = next.id RETURNING e.seq) "
        "UPDATE event_counter SET last_seq = coalesce((SELECT max(seq) FROM numbered), last_seq) "
        "RETURNING (SELECT count(*) FROM numbered)", 1, params, error);
    if (!r)
        return -1;
    tx->numbered = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}

int event_log_sequence(db_t *db, int max, db_error_t *error)
{
    sequence_tx_t tx = {max, 0};
    return db_transaction(db, sequence_tx, &tx, error) == 0 ? tx.numbered : -1;
}

int64_t event_log_head(db_t *db, db_error_t *error)
{
    PGresult *r = db_exec(db, "SELECT last_seq FROM event_counter", 0, NULL, error);
    if (!r)
        return -1;
    int64_t head = PQntuples(r) ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
    PQclear(r);
    return head;
}

/* One row of the read query into `e` (payload hex-decoded). */
static int fill_event(const PGresult *r, int i, event_t *e)
{
    e->seq = strtoll(PQgetvalue(r, i, 0), NULL, 10);
    e->prev = e->seq - 1;
    e->id = db_value_dup(r, i, 1);
    e->type = db_value_dup(r, i, 2);
    e->version = (uint32_t) strtoul(PQgetvalue(r, i, 3), NULL, 10);
    e->occurred_at_ms = strtoll(PQgetvalue(r, i, 4), NULL, 10);
    e->report_id = PQgetisnull(r, i, 5) ? 0 : strtoll(PQgetvalue(r, i, 5), NULL, 10);
    e->tracking_id = db_value_dup(r, i, 6);
    e->institution = db_value_dup(r, i, 7);
    e->actor_role = db_value_dup(r, i, 8);
    e->actor_id = db_value_dup(r, i, 9);
    const char *hex = PQgetvalue(r, i, 10);
    size_t capacity = strlen(hex) / 2;
    e->payload = malloc(capacity ? capacity : 1);
    if (!e->payload || sodium_hex2bin(e->payload, capacity, hex, strlen(hex), NULL, &e->payload_size, NULL) != 0)
        return -1;
    return 0;
}

int event_log_read(db_t *db, int64_t after_seq, const char *prefix, int max, event_batch_t *batch, db_error_t *error)
{
    char after[32], limit[16];
    snprintf(after, sizeof after, "%lld", (long long) after_seq);
    snprintf(limit, sizeof limit, "%d", max);
    const char *params[] = {after, prefix ? prefix : "", limit};
    PGresult *r = db_exec(db,
        "SELECT seq, event_id, type, schema_version, (extract(epoch FROM occurred_at) * 1000)::bigint, report_id, "
        "tracking_id, institution_code, actor_role, actor_id, encode(payload, 'hex'), "
        "(SELECT last_seq FROM event_counter) "
        "FROM events WHERE seq > $1 AND left(type, length($2)) = $2 ORDER BY seq LIMIT $3", 3, params, error);
    if (!r)
        return -1;
    memset(batch, 0, sizeof *batch);
    int rows = PQntuples(r), rc = 0;
    batch->items = rows ? calloc((size_t) rows, sizeof *batch->items) : NULL;
    for (int i = 0; i < rows && rc == 0; i++) {
        rc = batch->items ? fill_event(r, i, &batch->items[i]) : -1;
        batch->count++;
    }
    batch->head = rows ? strtoll(PQgetvalue(r, 0, 11), NULL, 10) : 0;
    PQclear(r);
    if (rc == 0 && rows == 0)
        batch->head = event_log_head(db, error);
    if (rc != 0 || batch->head < 0)
        event_batch_clear(batch);
    return rc == 0 && batch->head >= 0 ? 0 : -1;
}
