#include "delivery_store.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_array.h"

#define IN_SCOPE "($1 = 'national_admin' OR institution_within(d.institution_code, $2))"

/* Due: pending and its time has come, or claimed by a sender whose lease ran out. */
#define DUE "((d.status = 'pending' AND d.next_attempt_at <= now()) OR (d.status = 'sending' AND d.lease_until <= now()))"

/* How far past the batch a claim looks for rows of receivers that are not at their limit. */
#define CLAIM_LOOK_AHEAD "4"

/* Attempts under way to the receiver of row x, counted up to per_receiver ($3), all a claim needs
 * to know. Ordered as deliveries_receiver_busy is, so that a generic plan reads that index
 * whatever the table's size when it was made: on an empty analyzed table both partial indexes
 * priced the same, and the plan kept walking deliveries_due, every due row of the channel for
 * each receiver counted, once a backlog had grown. */
#define IN_FLIGHT(x) "(SELECT count(*) FROM (SELECT FROM deliveries s WHERE s.status = 'sending' " \
    "AND s.channel = " x ".channel AND s.recipient = " x ".recipient AND s.lease_until > now() " \
    "ORDER BY s.channel, s.recipient, s.lease_until LIMIT $3::int) s)"

#define DELIVERY_JSON \
    "json_build_object('delivery_id', d.delivery_id, 'event_id', d.event_id, 'event_seq', d.event_seq, " \
    "'event_type', d.event_type, 'tracking_id', d.tracking_id, 'institution', d.institution_code, " \
    "'channel', d.channel, 'recipient_kind', d.recipient_kind, " \
    "'recipient', CASE d.recipient_kind WHEN 'reporter' THEN 'reporter' WHEN 'follower' THEN 'follower' " \
    "    WHEN 'staff' THEN (SELECT s.username FROM staff s WHERE s.id = d.staff_id) " \
    "    ELSE 'webhook ' || d.webhook_id END, " \
    "'webhook_id', d.webhook_id, 'status', d.status, 'attempts', d.attempts, 'max_attempts', d.max_attempts, " \
    "'next_attempt_at', CASE WHEN d.status = 'pending' THEN iso_utc(d.next_attempt_at) END, " \
    "'last_error', d.last_error, 'delivered_at', iso_utc(d.delivered_at), 'created_at', iso_utc(d.created_at), " \
    "'attempt_log', (SELECT COALESCE(json_agg(json_build_object('attempt', a.attempt, " \
    "    'started_at', iso_utc(a.started_at), 'finished_at', iso_utc(a.finished_at), 'outcome', a.outcome, " \
    "    'detail', a.detail) ORDER BY a.attempt), '[]') FROM delivery_attempts a WHERE a.delivery_id = d.id))"

static void int_text(int64_t value, char out[24])
{
    snprintf(out, 24, "%lld", (long long) value);
}

void delivery_store_make_id(const unsigned char key[SECRET_SETTING_BYTES], const char *event_id, const char *channel,
                            const char *recipient_kind, const char *recipient, char out[DELIVERY_ID_LEN + 1])
{
    crypto_auth_hmacsha256_state state;
    unsigned char digest[crypto_auth_hmacsha256_BYTES];
    const char *parts[] = {event_id, "/", channel, "/", recipient_kind, "/", recipient};
    crypto_auth_hmacsha256_init(&state, key, SECRET_SETTING_BYTES);
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        crypto_auth_hmacsha256_update(&state, (const unsigned char *) parts[i], strlen(parts[i]));
    crypto_auth_hmacsha256_final(&state, digest);
    sodium_bin2hex(out, DELIVERY_ID_LEN + 1, digest, DELIVERY_ID_LEN / 2);
}

/* The rows of a set in one statement: each delivery, an inbox one delivered at once with its
 * attempt and its item (only for a delivery this statement added, hence one item per delivery).
 * The first column counts the deliveries added. */
static const char add_set_sql[] =
    "WITH x AS (SELECT * FROM json_to_recordset($1::json) AS x(delivery_id text, event_id text, event_seq bigint, "
    "  event_type text, report_id bigint, tracking_id text, institution text, channel text, recipient_kind text, "
    "  recipient text, staff_id bigint, webhook_id bigint, language text, subject text, body_text text, "
    "  body_html text, payload text, max_attempts int, list_unsubscribe text)), "
    "added AS (INSERT INTO deliveries (delivery_id, event_id, event_seq, event_type, report_id, tracking_id, "
    "  institution_code, channel, recipient_kind, recipient, staff_id, webhook_id, language, subject, "
    "  body_text, body_html, payload, max_attempts, status, attempts, delivered_at, list_unsubscribe) "
    "  SELECT delivery_id, event_id, event_seq, event_type, report_id, tracking_id, institution, channel, "
    "    recipient_kind, recipient, staff_id, webhook_id, language, subject, body_text, body_html, payload, "
    "    max_attempts, CASE WHEN channel = 'inbox' THEN 'delivered' ELSE 'pending' END, "
    "    CASE WHEN channel = 'inbox' THEN 1 ELSE 0 END, CASE WHEN channel = 'inbox' THEN now() END, "
    "    list_unsubscribe FROM x "
    "  ON CONFLICT DO NOTHING RETURNING id, channel, staff_id, tracking_id, event_type, subject, body_text), "
    "attempted AS (INSERT INTO delivery_attempts (delivery_id, attempt, started_at, finished_at, outcome, detail) "
    "  SELECT id, 1, now(), now(), 'delivered', 'in the inbox' FROM added WHERE channel = 'inbox'), "
    "items AS (INSERT INTO inbox_items (staff_id, delivery_id, tracking_id, event_type, subject, body) "
    "  SELECT staff_id, id, tracking_id, event_type, COALESCE(subject, ''), COALESCE(body_text, '') "
    "  FROM added WHERE channel = 'inbox') "
    "SELECT count(*) FROM added";

static json_t *id_or_null(int64_t id)
{
    return id ? json_integer((json_int_t) id) : json_null();
}

static json_t *text_or_null(const char *text)
{
    return text ? json_string(text) : json_null();
}

int delivery_set_add(json_t *set, const delivery_t *d)
{
    json_t *row = json_object();
    struct { const char *key; json_t *value; } fields[] = {
        {"delivery_id", text_or_null(d->delivery_id)}, {"event_id", text_or_null(d->event_id)},
        {"event_seq", json_integer((json_int_t) d->event_seq)}, {"event_type", text_or_null(d->event_type)},
        {"report_id", id_or_null(d->report_id)}, {"tracking_id", text_or_null(d->tracking_id)},
        {"institution", text_or_null(d->institution)}, {"channel", text_or_null(d->channel)},
        {"recipient_kind", text_or_null(d->recipient_kind)}, {"recipient", text_or_null(d->recipient)},
        {"staff_id", id_or_null(d->staff_id)}, {"webhook_id", id_or_null(d->webhook_id)},
        {"language", text_or_null(d->language)}, {"subject", text_or_null(d->subject)},
        {"body_text", text_or_null(d->body_text)}, {"body_html", text_or_null(d->body_html)},
        {"payload", text_or_null(d->payload)}, {"max_attempts", json_integer(d->max_attempts)},
        {"list_unsubscribe", text_or_null(d->list_unsubscribe)},
    };
    int rc = row ? 0 : -1;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        rc |= json_object_set_new(row, fields[i].key, fields[i].value);
    if (rc == 0)
        return json_array_append_new(set, row);
    json_decref(row);
    return -1;
}

/* Whether name is one of the comma-separated list's elements. */
static bool listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *at = list; *at;) {
        size_t length = strcspn(at, ",");
        if (length == n && strncmp(at, name, n) == 0)
            return true;
        at += length;
        if (*at == ',')
            at++;
    }
    return false;
}

/* The channels of the set's deliveries that senders send (an inbox one is delivered at once), each
 * once, comma-separated: the wake-up's payload (claim_due.h), "" (every channel) when they do not
 * fit. False when there are none. */
static bool senders_channels(const json_t *set, char *out, size_t cap)
{
    size_t length = 0, i;
    bool any = false;
    json_t *row;
    out[0] = '\0';
    json_array_foreach(set, i, row) {
        const char *channel = json_string_value(json_object_get(row, "channel"));
        if (!channel || strcmp(channel, "inbox") == 0)
            continue;
        any = true;
        if (listed(out, channel))
            continue;
        int n = snprintf(out + length, cap - length, "%s%s", length ? "," : "", channel);
        if (n < 0 || (size_t) n >= cap - length) {
            out[0] = '\0';
            return true;
        }
        length += (size_t) n;
    }
    return any;
}

/* The senders are woken after the commit when the set has anything they send: a replayed set,
 * which adds nothing, wakes them for a claim that finds nothing new. */
static int wake_senders(db_t *db, const json_t *set, db_error_t *error)
{
    char channels[64];
    if (!senders_channels(set, channels, sizeof channels))
        return 0;
    return db_wake_after_commit(db, DELIVERIES_CHANNEL, channels, error);
}

int delivery_store_add_set(db_t *db, const json_t *set, int *created, db_error_t *error)
{
    if (json_array_size(set) == 0) {
        if (created)
            *created = 0;
        return 0;
    }
    char *rows = json_dumps(set, JSON_COMPACT);
    if (!rows) {
        snprintf(error->message, sizeof error->message, "cannot encode deliveries");
        return -1;
    }
    const char *params[] = {rows};
    int rc = 0;
    if (!created) {
        rc = db_exec_ok(db, add_set_sql, 1, params, error);
    } else {
        PGresult *r = db_exec(db, add_set_sql, 1, params, error);
        rc = r ? 0 : -1;
        if (r)
            *created = atoi(PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    /* A sign-in code's message is among the rows. */
    sodium_memzero(rows, strlen(rows));
    free(rows);
    return rc == 0 ? wake_senders(db, set, error) : rc;
}

int delivery_store_add(db_t *db, const delivery_t *d, bool *created, db_error_t *error)
{
    json_t *set = json_array();
    int n = 0;
    int rc = set && delivery_set_add(set, d) == 0 ? delivery_store_add_set(db, set, &n, error) : -1;
    if (rc != 0 && !set)
        snprintf(error->message, sizeof error->message, "out of memory");
    json_decref(set);
    *created = n == 1;
    return rc;
}

/* Due rows of the channel are read in sending order from the partial index deliveries_due (led by
 * the channel, so a claim never walks other channels' due rows; a sending row was due when it was
 * claimed, so next_attempt_at <= now() holds for it too), passing over receivers that
 * are at their limit already (counted through deliveries_receiver_busy), and locked as they are
 * read, skipping rows another sender holds. The look-ahead stops at CLAIM_LOOK_AHEAD times the
 * batch; among those rows a receiver gets per_receiver minus what it has in flight. So a claim
 * costs its look-ahead plus the due rows of saturated receivers ahead of it, not the table. The
 * attempt is logged in the same statement. The last column: rows the receivers' limits let through
 * were left for want of room in the batch (the sender's sign of a backlog). The claimed rows and
 * their interrupted attempts are written by id (`= ANY`, an index condition): on a generic plan by
 * index a join could walk a whole index instead. */
const char delivery_store_claim_sql[] =
    "WITH due AS ("
    "  SELECT d.id, d.channel, d.recipient, d.next_attempt_at FROM deliveries d "
    "  WHERE d.status IN ('pending', 'sending') AND d.channel = $1 AND d.next_attempt_at <= now() "
    "    AND " DUE " "
    "    AND (d.webhook_id IS NULL OR EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id AND w.active)) "
    "    AND " IN_FLIGHT("d") " < $3::int "
    "  ORDER BY d.next_attempt_at, d.id LIMIT $2::int * " CLAIM_LOOK_AHEAD " FOR UPDATE OF d SKIP LOCKED), "
    "busy AS (SELECT r.channel, r.recipient, " IN_FLIGHT("r") " AS n FROM (SELECT DISTINCT channel, recipient FROM due) r), "
    "ranked AS (SELECT due.id, due.next_attempt_at, busy.n + row_number() OVER "
    "    (PARTITION BY due.channel, due.recipient ORDER BY due.next_attempt_at, due.id) AS nth "
    "  FROM due JOIN busy USING (channel, recipient)), "
    "locked AS (SELECT id FROM ranked WHERE nth <= $3::int ORDER BY next_attempt_at, id LIMIT $2::int), "
    "interrupted AS (UPDATE delivery_attempts a SET finished_at = now(), outcome = 'interrupted', "
    "    detail = 'the sender stopped before it recorded the outcome' "
    "  WHERE a.delivery_id = ANY (ARRAY (SELECT id FROM locked)) AND a.finished_at IS NULL RETURNING a.delivery_id), "
    "claimed AS (UPDATE deliveries d SET status = 'sending', attempts = d.attempts + 1, "
    "    lease_until = now() + $4::int * interval '1 millisecond' WHERE d.id = ANY (ARRAY (SELECT id FROM locked)) "
    "  RETURNING d.*), "
    "logged AS (INSERT INTO delivery_attempts (delivery_id, attempt, started_at) "
    "  SELECT id, attempts, now() FROM claimed) "
    "SELECT c.id, c.delivery_id, c.channel, c.recipient, c.event_type, c.tracking_id, c.language, c.attempts, "
    "  c.max_attempts, c.subject, c.body_text, c.body_html, c.payload, w.url, w.secret, COALESCE(c.webhook_id, 0), "
    "  c.retry_from, c.list_unsubscribe, (SELECT count(*) FROM ranked WHERE nth <= $3::int) > $2::int "
    "FROM claimed c LEFT JOIN webhooks w ON w.id = c.webhook_id ORDER BY c.next_attempt_at";

static void read_claimed(PGresult *r, int row, claimed_delivery_t *d)
{
    d->id = strtoll(PQgetvalue(r, row, 0), NULL, 10);
    char **text[] = {&d->delivery_id, &d->channel, &d->recipient, &d->event_type, &d->tracking_id, &d->language};
    for (int i = 0; i < 6; i++)
        *text[i] = db_value_dup(r, row, 1 + i);
    d->attempt = atoi(PQgetvalue(r, row, 7));
    d->max_attempts = atoi(PQgetvalue(r, row, 8));
    char **content[] = {&d->subject, &d->body_text, &d->body_html, &d->payload, &d->url, &d->secret};
    for (int i = 0; i < 6; i++)
        *content[i] = db_value_dup(r, row, 9 + i);
    d->webhook_id = strtoll(PQgetvalue(r, row, 15), NULL, 10);
    d->retry_from = atoi(PQgetvalue(r, row, 16));
    d->list_unsubscribe = db_value_dup(r, row, 17);
}

/* PostgreSQL's own choice planned the claim at every call (its plans for the values at hand priced
 * below the generic one), 1.1 ms a claim on a busy machine; a generic plan it makes while
 * `deliveries` is young reads the table whole for each receiver's count until an analyze. */
int delivery_store_prepare_senders_connection(db_t *db, db_error_t *error)
{
    return db_prepare_index_plans(db, error);
}

int delivery_store_claim(db_t *db, const char *channel, int max, int per_receiver, int lease_ms,
                         claimed_batch_t *batch, db_error_t *error)
{
    memset(batch, 0, sizeof *batch);
    char limit[24], per[24], lease[24];
    int_text(max, limit);
    int_text(per_receiver, per);
    int_text(lease_ms, lease);
    const char *params[] = {channel, limit, per, lease};
    PGresult *r = db_exec(db, delivery_store_claim_sql, 4, params, error);
    if (!r)
        return -1;
    int rows = PQntuples(r);
    batch->items = rows ? calloc((size_t) rows, sizeof *batch->items) : NULL;
    if (rows && !batch->items) {
        PQclear(r);
        snprintf(error->message, sizeof error->message, "out of memory");
        return -1;
    }
    for (int i = 0; i < rows; i++)
        read_claimed(r, i, &batch->items[i]);
    batch->count = rows;
    batch->more_due = rows > 0 && PQgetvalue(r, 0, 18)[0] == 't';
    PQclear(r);
    return 0;
}

void claimed_delivery_clear(claimed_delivery_t *d)
{
    char *owned[] = {d->delivery_id, d->channel, d->recipient, d->event_type, d->tracking_id, d->language,
                     d->subject, d->body_text, d->body_html, d->payload, d->url, d->secret,
                     d->list_unsubscribe};
    for (size_t k = 0; k < sizeof owned / sizeof owned[0]; k++)
        free(owned[k]);
    memset(d, 0, sizeof *d);
}

void claimed_batch_clear(claimed_batch_t *batch)
{
    for (int i = 0; i < batch->count; i++)
        claimed_delivery_clear(&batch->items[i]);
    free(batch->items);
    memset(batch, 0, sizeof *batch);
}

/* The outcomes of a sweep's finished attempts in one statement (each column an array): one
 * transaction and one flush for all of them, where each used to be its own. Each attempt and
 * each delivery is found by its key (a LATERAL lookup whose LIMIT keeps the planner from making it
 * a join) and written by its row's address. Joined to the outcomes, a generic plan made while the
 * tables were small walked whole indexes (20 495 rows read for 4 outcomes after 20 000 more
 * deliveries, `test_delivery_store`); with `status = 'sending'` in the lookup, one outcome's plan
 * looked for its id through every pending delivery's entry of `deliveries_due`. A row changed
 * meanwhile (taken over, cancelled) has moved: it is left as it is, as the checks of status and
 * attempt would have left it. */
static const char finish_sql[] =
    "WITH told AS (SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::bigint[]) "
    "    AS o(delivery_id, attempt, outcome, detail, retry_ms)), "
    "attempt AS (UPDATE delivery_attempts a SET finished_at = now(), outcome = o.outcome, detail = o.detail "
    "    FROM told o CROSS JOIN LATERAL (SELECT ctid FROM delivery_attempts WHERE delivery_id = o.delivery_id "
    "      AND attempt = o.attempt AND finished_at IS NULL LIMIT 1) x "
    "    WHERE a.ctid = x.ctid RETURNING o.*), "
    "sent AS (SELECT t.*, x.ctid AS row FROM attempt t CROSS JOIN LATERAL "
    "    (SELECT ctid, status, attempts FROM deliveries WHERE id = t.delivery_id LIMIT 1) x "
    "    WHERE x.status = 'sending' AND x.attempts = t.attempt) "
    "UPDATE deliveries d SET "
    "  status = CASE WHEN t.outcome = 'delivered' THEN 'delivered' "
    "                WHEN t.outcome = 'gone' OR d.attempts >= d.max_attempts THEN 'dead' ELSE 'pending' END, "
    "  delivered_at = CASE WHEN t.outcome = 'delivered' THEN now() END, "
    "  next_attempt_at = CASE WHEN t.outcome = 'failed' THEN now() + t.retry_ms * interval '1 millisecond' "
    "                         ELSE d.next_attempt_at END, "
    "  last_error = CASE WHEN t.outcome = 'delivered' THEN NULL ELSE t.detail END, lease_until = NULL "
    "FROM sent t WHERE d.ctid = t.row";

const char *delivery_outcome_name(delivery_outcome_t outcome)
{
    static const char *const names[] = {"delivered", "failed", "gone"};
    return names[outcome];
}

int delivery_store_finish(db_t *db, const delivery_finish_t *finished, size_t count, db_error_t *error)
{
    db_array_t columns[5];
    memset(columns, 0, sizeof columns);
    for (size_t i = 0; i < count; i++) {
        db_array_add_int(&columns[0], finished[i].delivery->id);
        db_array_add_int(&columns[1], finished[i].delivery->attempt);
        db_array_add(&columns[2], delivery_outcome_name(finished[i].outcome));
        db_array_add(&columns[3], finished[i].detail);
        db_array_add_int(&columns[4], finished[i].retry_in_ms);
    }
    char *owned[5];
    const char *params[5];
    int rc = -1;
    if (db_array_take_columns(columns, 5, owned, params))
        rc = db_exec_ok(db, finish_sql, 5, params, error);
    else
        snprintf(error->message, sizeof error->message, "out of memory");
    for (int c = 0; c < 5; c++)
        free(owned[c]);
    return rc;
}

int delivery_store_list(db_t *db, const staff_member_t *who, const delivery_filter_t *f, char **json,
                        db_error_t *error)
{
    char limit[24], offset[24], webhook[24];
    int_text(f->limit < 1 || f->limit > 200 ? 50 : f->limit, limit);
    int_text(f->offset < 0 ? 0 : f->offset, offset);
    int_text(f->webhook_id, webhook);
    const char *params[] = {who->role, who->institution, f->tracking_id, f->status, f->channel, limit, offset,
                            f->by_webhook ? webhook : NULL};
    return db_query_value(db,
        "SELECT json_build_object('items', COALESCE(json_agg(x.item ORDER BY x.id DESC), '[]'), "
        "  'total', COALESCE(max(x.total), 0), 'limit', $6::int, 'offset', $7::int)::text "
        "FROM (SELECT d.id, " DELIVERY_JSON " AS item, count(*) OVER () AS total FROM deliveries d "
        "  WHERE " IN_SCOPE " AND ($3::text IS NULL OR d.tracking_id = $3) AND ($4::text IS NULL OR d.status = $4) "
        "    AND ($5::text IS NULL OR d.channel = $5) AND ($8::bigint IS NULL OR d.webhook_id = $8) "
        "  ORDER BY d.id DESC LIMIT $6::int OFFSET $7::int) x",
        8, params, json, error);
}

int delivery_store_resend(db_t *db, const staff_member_t *who, const char *delivery_id, const char *request_id,
                          int attempts, char **json, error_reply_t *refusal, db_error_t *error)
{
    *json = NULL;
    char more[24];
    int_text(attempts, more);
    const char *params[] = {who->role, who->institution, delivery_id, more, request_id};
    /* FOR UPDATE makes a concurrent retry wait, then see the row as this one left it. */
    PGresult *r = db_exec(db,
        "WITH target AS (SELECT d.id, COALESCE(d.resend_request_id = $5, false) AS again, "
        "      d.status = 'dead' AND (d.webhook_id IS NULL OR EXISTS "
        "      (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id AND w.active)) AS may "
        "    FROM deliveries d WHERE d.delivery_id = $3 AND " IN_SCOPE " FOR UPDATE), "
        "queued AS (UPDATE deliveries d SET status = 'pending', next_attempt_at = now(), resend_request_id = $5, "
        "    max_attempts = d.attempts + $4::int, retry_from = d.attempts FROM target "
        "    WHERE d.id = target.id AND target.may AND NOT target.again RETURNING d.*) "
        "SELECT (SELECT count(*) FROM target), COALESCE((SELECT " DELIVERY_JSON "::text FROM queued d), "
        "  (SELECT " DELIVERY_JSON "::text FROM deliveries d JOIN target t ON t.id = d.id WHERE t.again))",
        5, params, error);
    if (!r)
        return -1;
    int rc = 0;
    if (PQgetvalue(r, 0, 0)[0] == '0')
        rc = error_reply_refuse(refusal, ERROR_NOT_FOUND, "no delivery of your subtree has this id");
    else if (PQgetisnull(r, 0, 1))
        rc = error_reply_refuse(refusal, ERROR_NOT_RESENDABLE, "the delivery is not dead, or its webhook is off");
    else if (!(*json = db_value_dup(r, 0, 1)))
        rc = -1;
    PQclear(r);
    return rc;
}

const char *const delivery_sent_channels[DELIVERY_CHANNELS_SENT] = {"email", "sms", "webhook"};

int delivery_store_queue_depths(db_t *db, int64_t depths[DELIVERY_CHANNELS_SENT], db_error_t *error)
{
    PGresult *r = db_exec(db, "SELECT count(*) FILTER (WHERE channel = 'email'), count(*) FILTER (WHERE channel = 'sms'), "
                              "count(*) FILTER (WHERE channel = 'webhook') FROM deliveries WHERE status = 'pending'",
                          0, NULL, error);
    if (!r)
        return -1;
    for (int i = 0; i < DELIVERY_CHANNELS_SENT; i++)
        depths[i] = strtoll(PQgetvalue(r, 0, i), NULL, 10);
    PQclear(r);
    return 0;
}
