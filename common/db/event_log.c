#include "event_log.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_array.h"

/* Advisory lock of the sequencer ("aduanseq"); transaction-scoped, so a crash releases it. */
#define SEQUENCER_LOCK_KEY "6111047110115101113"

enum { COL_ID, COL_TYPE, COL_VERSION, COL_AT, COL_REPORT, COL_TRACKING, COL_INSTITUTION, COL_ROLE, COL_ACTOR,
       COL_PAYLOAD, COLUMNS };

static void add_event(db_array_t *columns, const event_t *e)
{
    size_t hex_size = e->payload_size * 2 + 1;
    char *hex = malloc(hex_size);
    if (hex)
        sodium_bin2hex(hex, hex_size, e->payload, e->payload_size);
    else
        columns[COL_PAYLOAD].text.failed = true;
    db_array_add(&columns[COL_ID], e->id);
    db_array_add(&columns[COL_TYPE], e->type);
    db_array_add_int(&columns[COL_VERSION], e->version);
    if (e->occurred_at_ms)
        db_array_add_int(&columns[COL_AT], e->occurred_at_ms);
    else
        db_array_add(&columns[COL_AT], NULL);
    if (e->report_id)
        db_array_add_int(&columns[COL_REPORT], e->report_id);
    else
        db_array_add(&columns[COL_REPORT], NULL);
    db_array_add(&columns[COL_TRACKING], e->tracking_id);
    db_array_add(&columns[COL_INSTITUTION], e->institution);
    db_array_add(&columns[COL_ROLE], e->actor_role);
    db_array_add(&columns[COL_ACTOR], e->actor_id);
    db_array_add(&columns[COL_PAYLOAD], hex);
    free(hex);
}

int event_log_append_many(db_t *db, const event_t *events, size_t count, db_error_t *error)
{
    db_array_t columns[COLUMNS];
    memset(columns, 0, sizeof columns);
    for (size_t i = 0; i < count; i++)
        add_event(columns, &events[i]);
    char *owned[COLUMNS];
    const char *params[COLUMNS];
    bool complete = db_array_take_columns(columns, COLUMNS, owned, params);
    int rc = -1;
    if (!complete)
        snprintf(error->message, sizeof error->message, "out of memory appending events");
    else   /* ordered by position, so the insertion ids (the sequencer's order) follow the caller's */
        rc = db_exec_ok(db,
            "INSERT INTO events (event_id, type, schema_version, occurred_at, report_id, tracking_id, "
            "  institution_code, actor_role, actor_id, payload) "
            "SELECT e.id, e.type, e.v::int, coalesce(to_timestamp(e.at::bigint / 1000.0), now()), e.report::bigint, "
            "       e.tracking, e.institution, e.role, e.actor, decode(e.payload, 'hex') "
            "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], "
            "            $8::text[], $9::text[], $10::text[]) WITH ORDINALITY "
            "     AS e(id, type, v, at, report, tracking, institution, role, actor, payload, n) "
            "ORDER BY e.n",
            COLUMNS, params, error);
    if (rc == 0 && count > 0)
        rc = db_wake_after_commit(db, EVENT_LOG_CHANNEL, "", error);
    for (int c = 0; c < COLUMNS; c++)
        free(owned[c]);
    return rc;
}

int event_log_append(db_t *db, const event_t *e, db_error_t *error)
{
    return event_log_append_many(db, e, 1, error);
}

int event_log_append_built(db_t *db, int built, event_t *event, db_error_t *error)
{
    int rc = -1;
    if (built != 0)
        snprintf(error->message, sizeof error->message, "the event could not be built");
    else
        rc = event_log_append(db, event, error);
    event_clear(event);
    return rc;
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
    /* The events to number were written just now, so the table's statistics do not know them: at a
     * backlog of 40 000 the planner expected 311 and took all of them by a bitmap scan and a sort to
     * number 1 000 (17 of a 29 ms call in auto_explain), and with bitmaps forbidden, by the seq
     * index's NULL entries and a sort; it may also join them to every event by hash or merge. Only
     * the partial index's order, then each row by key, keeps a batch's cost its own size; the
     * settings end with the transaction. */
    if (db_exec_ok(db, "SELECT pg_advisory_xact_lock($1::bigint), set_config('enable_sort', 'off', true), "
                       "set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)",
                   1, lock, error) != 0)
        return -1;
    const char *params[] = {max};
    /* With nothing to number (the 250 ms poll of an idle system), the counter is neither locked
     * nor rewritten: the transaction writes nothing, so its commit waits for no WAL flush. */
    PGresult *r = db_exec(db,
        "WITH next AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM events WHERE seq IS NULL "
        "              ORDER BY id LIMIT $1), "
        "counter AS (SELECT last_seq FROM event_counter WHERE EXISTS (SELECT 1 FROM next) FOR UPDATE), "
        "numbered AS (UPDATE events e SET seq = counter.last_seq + next.n FROM next, counter "
        "             WHERE e.id = next.id RETURNING e.seq) "
        "UPDATE event_counter SET last_seq = (SELECT max(seq) FROM numbered) WHERE EXISTS (SELECT 1 FROM numbered) "
        "RETURNING (SELECT count(*) FROM numbered)", 1, params, error);
    if (!r)
        return -1;
    tx->numbered = PQntuples(r) ? atoi(PQgetvalue(r, 0, 0)) : 0;
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

/* What a reader gets of an event, in fill_event's order. */
#define EVENT_COLUMNS \
    "seq, event_id, type, schema_version, (extract(epoch FROM occurred_at) * 1000)::bigint, report_id, " \
    "tracking_id, institution_code, actor_role, actor_id, encode(payload, 'hex')"

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

/* Every topic: the numbers are dense, so the next $2 events are exactly the range after $1, which
 * the seq index reads in order. The prefix test of READ_ONE_TOPIC is expected to pass 0.5 % of the
 * rows, so the planner sorts every event after $1 to return $2 of them: at a backlog of 200 000,
 * a parallel bitmap scan of 105 000 rows at every read of the hub. */
#define READ_EVERY_TOPIC \
    "SELECT " EVENT_COLUMNS ", (SELECT last_seq FROM event_counter) " \
    "FROM events WHERE seq > $1 AND seq <= $1 + $2::bigint ORDER BY seq"
#define READ_ONE_TOPIC \
    "SELECT " EVENT_COLUMNS ", (SELECT last_seq FROM event_counter) " \
    "FROM events WHERE seq > $1 AND left(type, length($3)) = $3 ORDER BY seq LIMIT $2"

int event_log_read(db_t *db, int64_t after_seq, const char *prefix, int max, event_batch_t *batch, db_error_t *error)
{
    char after[32], limit[16];
    snprintf(after, sizeof after, "%lld", (long long) after_seq);
    snprintf(limit, sizeof limit, "%d", max);
    bool every_topic = !prefix || !*prefix;
    const char *params[] = {after, limit, prefix};
    PGresult *r = every_topic ? db_exec(db, READ_EVERY_TOPIC, 2, params, error)
                              : db_exec(db, READ_ONE_TOPIC, 3, params, error);
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
