#include "fanout_run.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct answer_t {
    const char *sql;               /* a static statement: compared by address */
    char *key;                     /* its values, each followed by a separator */
    PGresult *result;
    struct answer_t *next;
} answer_t;

struct fanout_run_t {
    PGresult *rows;                /* one per event of the run, in its order */
    char **event_ids;
    size_t count, next;            /* next: where the handler's next event is expected */
    answer_t *answers;
    json_t *deliveries;            /* the run's, added in one statement at its last event */
};

fanout_run_t *fanout_run_new(void)
{
    fanout_run_t *self = calloc(1, sizeof(fanout_run_t));
    if (self && !(self->deliveries = json_array())) {
        free(self);
        return NULL;
    }
    return self;
}

static void forget(fanout_run_t *self)
{
    while (self->answers) {
        answer_t *next = self->answers->next;
        free(self->answers->key);
        PQclear(self->answers->result);
        free(self->answers);
        self->answers = next;
    }
    for (size_t i = 0; i < self->count; i++)
        free(self->event_ids[i]);
    free(self->event_ids);
    PQclear(self->rows);
    self->rows = NULL, self->event_ids = NULL, self->count = self->next = 0;
    json_array_clear(self->deliveries);
}

void fanout_run_destroy(fanout_run_t **self_p)
{
    if (!*self_p)
        return;
    forget(*self_p);
    json_decref((*self_p)->deliveries);
    free(*self_p);
    *self_p = NULL;
}

/* The reports are read as they are now, each with the note of the step its event records (its
 * action at its time), and whether anyone follows it; the codes' words per language. A clock due
 * at midnight ends with the day before it: that is the last day to act. Each report is probed by
 * its key (LATERAL, its LIMIT keeping the planner from making it a join again): joined to the
 * run's events, the consumer's plan, made while reports was young, read the whole table at every
 * run (a hash join: 1 035 buffers and 10.5 ms a run at 5 700 reports in submit_bench), and on fresh
 * statistics the planner still prefers that up to thousands of reports. */
static const char rows_sql[] =
    "SELECT r.id, r.title, r.confidential, r.reporter_email, r.reporter_phone, r.language, r.notify_reporter, "
    "  r.status, (SELECT a.note FROM report_actions a WHERE a.report_id = r.id AND NOT a.internal "
    "    AND a.action = e.action AND a.at = to_timestamp(e.at / 1000.0) ORDER BY a.id DESC LIMIT 1), "
    "  EXISTS (SELECT 1 FROM report_followers f WHERE f.report_id = r.id AND f.confirmed_at IS NOT NULL), "
    "  s.label, s.label_en, (SELECT name FROM institutions WHERE code = e.institution), rc.label, rc.label_en, "
    "  dk.label, dk.label_en, to_char((to_timestamp(e.due_at / 1000.0) - interval '1 second') "
    "    AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM-DD') "
    "FROM json_to_recordset($1::json) AS e(n int, tracking_id text, action text, at bigint, status text, "
    "  institution text, reason_code text, deadline text, due_at bigint) "
    "LEFT JOIN LATERAL (SELECT * FROM reports WHERE tracking_id = e.tracking_id LIMIT 1) r ON true "
    "LEFT JOIN report_statuses s ON s.status = e.status "
    "LEFT JOIN reason_codes rc ON rc.action = e.action AND rc.code = e.reason_code "
    "LEFT JOIN deadline_kinds dk ON dk.kind = e.deadline ORDER BY e.n";

/* What rows_sql reads for one event: its report, time and the payload's codes. */
static json_t *event_keys(const event_t *event, size_t n)
{
    json_t *whole = event_to_json(event);
    json_t *payload = whole ? json_object_get(whole, "payload") : NULL;
    json_t *keys = json_pack("{s:I, s:s?, s:I, s:s?}", "n", (json_int_t) n, "tracking_id", event->tracking_id,
                             "at", (json_int_t) event->occurred_at_ms, "institution", event->institution);
    static const char *const codes[] = {"action", "status", "reason_code", "deadline"};
    for (size_t i = 0; keys && payload && i < sizeof codes / sizeof codes[0]; i++) {
        json_t *value = json_object_get(payload, codes[i]);
        if (json_is_string(value))
            json_object_set(keys, codes[i], value);
    }
    json_t *due = payload ? json_object_get(payload, "due_at") : NULL;
    if (keys && json_is_integer(due))
        json_object_set(keys, "due_at", due);
    json_decref(whole);
    if (!whole)
        json_decref(keys);
    return whole ? keys : NULL;
}

static int read_rows(fanout_run_t *self, db_t *db, const event_t *events, size_t count, db_error_t *error)
{
    json_t *all = json_array();
    int rc = all ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < count; i++)
        rc = json_array_append_new(all, event_keys(&events[i], i));
    char *text = rc == 0 ? json_dumps(all, JSON_COMPACT) : NULL;
    json_decref(all);
    if (!text) {
        snprintf(error->message, sizeof error->message, "cannot read the run's events");
        return -1;
    }
    const char *params[] = {text};
    self->rows = db_exec(db, rows_sql, 1, params, error);
    free(text);
    if (self->rows && (size_t) PQntuples(self->rows) != count) {
        snprintf(error->message, sizeof error->message, "%d rows for a run of %zu events", PQntuples(self->rows), count);
        return -1;
    }
    return self->rows ? 0 : -1;
}

int fanout_run_start(fanout_run_t *self, db_t *db, const event_t *events, size_t count, db_error_t *error)
{
    forget(self);
    if (count == 0)
        return 0;
    if (!(self->event_ids = calloc(count, sizeof *self->event_ids))) {
        snprintf(error->message, sizeof error->message, "out of memory");
        return -1;
    }
    for (; self->count < count; self->count++)
        if (!(self->event_ids[self->count] = strdup(events[self->count].id))) {
            snprintf(error->message, sizeof error->message, "out of memory");
            return -1;
        }
    return read_rows(self, db, events, count, error);
}

int fanout_run_row(fanout_run_t *self, const event_t *event)
{
    /* The handler sees the run's events in order, some skipped as done: look from the last one on. */
    for (size_t k = 0; self->rows && k < self->count; k++) {
        size_t i = (self->next + k) % self->count;
        if (strcmp(self->event_ids[i], event->id) == 0) {
            self->next = i + 1;
            return (int) i;
        }
    }
    return -1;
}

const PGresult *fanout_run_rows(const fanout_run_t *self)
{
    return self->rows;
}

bool fanout_run_is_last(const fanout_run_t *self, int row)
{
    return row >= 0 && (size_t) row + 1 == self->count;
}

json_t *fanout_run_deliveries(fanout_run_t *self)
{
    return self->deliveries;
}

/* The values of a query as one string: each value then a separator, "\x01" for SQL NULL. */
static char *values_key(int nparams, const char *const *params)
{
    size_t size = 1;
    for (int i = 0; i < nparams; i++)
        size += (params[i] ? strlen(params[i]) : 1) + 1;
    char *key = malloc(size), *at = key;
    for (int i = 0; key && i < nparams; i++)
        at += sprintf(at, "%s\x1f", params[i] ? params[i] : "\x01");
    if (key)
        *at = '\0';
    return key;
}

const PGresult *fanout_run_query(fanout_run_t *self, db_t *db, const char *sql, int nparams,
                                 const char *const *params, db_error_t *error)
{
    char *key = values_key(nparams, params);
    if (!key) {
        snprintf(error->message, sizeof error->message, "out of memory");
        return NULL;
    }
    answer_t *a = self->answers;
    while (a && (a->sql != sql || strcmp(a->key, key) != 0))
        a = a->next;
    if (a) {
        free(key);
        return a->result;
    }
    PGresult *r = db_exec(db, sql, nparams, params, error);
    if (!r || !(a = malloc(sizeof *a))) {
        if (r)
            snprintf(error->message, sizeof error->message, "out of memory");
        PQclear(r);
        free(key);
        return NULL;
    }
    *a = (answer_t) {sql, key, r, self->answers};
    self->answers = a;
    return r;
}
