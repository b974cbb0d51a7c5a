#include "prechecks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_array.h"
#include "logger.h"
#include "report_search.h"
#include "trigram_cache.h"

/* The duplicate candidates are the latest PRECHECK_CANDIDATES reports of the same region and
 * category within the window (reports_region_category, newest first), of which the 5 most alike
 * at or above the threshold are kept. A surge of thousands of near-identical reports made a
 * nearest-neighbour scan visit every one of them (its trigram bounds cannot separate texts that
 * are all alike): the cost grew with the surge. A bounded set keeps it flat; a duplicate older
 * than that many reports of one place and category is left to the verifier's search. */
#define PRECHECK_CANDIDATES 50
#define PRECHECK_KEPT 5
#define AS_TEXT(n) #n
#define NUMBER_TEXT(n) AS_TEXT(n)

/* For each report of a run (tracking ids, $1 text[]), in the run's order: the report, its
 * missing fields and abuse words, the threshold and the candidates' ids and tracking ids (both
 * aggregated from the same rows, so in the same order). The scores are computed here, not by
 * pg_trgm in the database: 50 similarity() calls per report were nearly all of verify's database
 * time, and each of them extracted both texts' trigrams again. One statement for the run. The
 * run's reports are probed by their key (LATERAL, its LIMIT keeping the planner from making it a
 * join again): joined to the run's ids, the consumer's plan, made while reports was young, read
 * the whole table at every run (a hash join, 4 600 reports a run in submit_bench). A report's
 * words are split once, in a scan of their own: as `word = ANY (split)` in the abuse words'
 * filter, the split ran again for each abuse word the table scan read, and was 72 % of verify's
 * backend CPU in submit_bench. */
const char prechecks_candidates_sql[] =
    "WITH settings AS ("
    "    SELECT COALESCE(max(value) FILTER (WHERE key = 'complete_body_min_chars'), 0) AS body_min, "
    "           COALESCE(max(value) FILTER (WHERE key = 'duplicate_similarity'), 1) AS similar, "
    "           COALESCE(max(value) FILTER (WHERE key = 'duplicate_window_days'), 0) AS window_days "
    "    FROM lifecycle_settings) "
    "SELECT r.tracking_id, r.id, r.title || ' ' || r.body, s.similar, "
    "  array_remove(ARRAY["
    "    CASE WHEN char_length(r.body) < s.body_min THEN 'body' END, "
    "    CASE WHEN r.incident_date IS NULL THEN 'incident_date' END, "
    "    CASE WHEN r.address IS NULL AND r.lat IS NULL THEN 'location' END, "
    "    CASE WHEN NOT r.anonymous AND r.reporter_email IS NULL AND r.reporter_phone IS NULL THEN 'contact' END"
    "  ], NULL), "
    "  ARRAY(SELECT DISTINCT w.word "
    "        FROM regexp_split_to_table(lower(r.title || ' ' || r.body), '[^[:alnum:]]+') AS t(word) "
    "        JOIN abuse_words w ON w.word = t.word ORDER BY w.word), "
    "  array_to_string(k.ids, ','), array_to_string(k.tracking_ids, ',') "
    "FROM unnest($1::text[]) WITH ORDINALITY AS t(tracking_id, n) "
    "CROSS JOIN LATERAL (SELECT * FROM reports WHERE tracking_id = t.tracking_id LIMIT 1) r CROSS JOIN settings s "
    "CROSS JOIN LATERAL (SELECT array_agg(c.id) AS ids, array_agg(c.tracking_id) AS tracking_ids FROM ("
    "    SELECT o.id, o.tracking_id FROM reports o "
    "    WHERE o.region_code = r.region_code AND o.category_code = r.category_code AND o.id <> r.id "
    "      AND o.submitted_at <= r.submitted_at "
    "      AND o.submitted_at >= r.submitted_at - make_interval(days => s.window_days::int) "
    "    ORDER BY o.submitted_at DESC LIMIT " NUMBER_TEXT(PRECHECK_CANDIDATES) ") c) k "
    "ORDER BY t.n";

static const char texts_sql[] = "SELECT id, title || ' ' || body FROM reports WHERE id = ANY ($1::bigint[])";

/* The checks of a run, or of one report, in one statement: each column an array, the text[]
 * values as their literals. Nothing left to plan or look up: everything was read with the
 * candidates. */
const char prechecks_insert_sql[] =
    "INSERT INTO report_prechecks (report_id, missing, abuse_words, possible_duplicates, checked_at) "
    "SELECT c.id, c.missing::text[], c.abuse_words::text[], c.duplicates::text[], to_timestamp($5::bigint / 1000.0) "
    "FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS c(id, missing, abuse_words, duplicates) "
    "ON CONFLICT (report_id) DO NOTHING";

typedef struct {
    int64_t id;
    char tracking_id[16];
    float alike;
    bool scored;
} candidate_t;

typedef struct {
    char tracking_id[32];
    int64_t id;
    trigram_set_t *trigrams;
    char *missing, *abuse_words;   /* text[] literals */
    double threshold;
    candidate_t candidates[PRECHECK_CANDIDATES];
    size_t count;
} check_t;

struct prechecks_t {
    trigram_cache_t *cache;
    bool ctype_read;    /* the database's LC_CTYPE, which decides what a word is, is known */
    check_t *run;       /* the checks read for the run, in its order; those from `next` not yet recorded */
    size_t run_count, next, run_size;
};

static void check_clear(check_t *check)
{
    trigram_set_destroy(&check->trigrams);
    free(check->missing);
    free(check->abuse_words);
    check->missing = check->abuse_words = NULL;
}

static void run_clear(prechecks_t *self)
{
    for (size_t i = 0; i < self->run_count; i++)
        check_clear(&self->run[i]);
    self->run_count = self->next = 0;
}

/* A run's checks are about 1.7 kB a report with their candidates: kept at the largest run's size, a
 * backlog's runs of 1 000 left 1.7 MB in an idle verify. The array goes with the run's last report. */
static void run_release(prechecks_t *self)
{
    run_clear(self);
    free(self->run);
    self->run = NULL;
    self->run_size = 0;
}

prechecks_t *prechecks_new(size_t slots, size_t max_trigrams)
{
    prechecks_t *self = calloc(1, sizeof *self);
    if (self && !(self->cache = trigram_cache_new(slots, max_trigrams)))
        prechecks_destroy(&self);
    return self;
}

void prechecks_destroy(prechecks_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    run_release(*self_p);
    trigram_cache_destroy(&(*self_p)->cache);
    free(*self_p);
    *self_p = NULL;
}

void prechecks_forget(prechecks_t *self)
{
    trigram_cache_empty(self->cache);
}

/* Once: pg_trgm classifies characters by the database's LC_CTYPE, so must this. */
static int read_ctype(prechecks_t *self, db_t *db, db_error_t *error)
{
    if (self->ctype_read)
        return 0;
    char *ctype = NULL;
    if (db_query_value(db, "SELECT datctype FROM pg_database WHERE datname = current_database()", 0, NULL, &ctype,
                       error) != 0)
        return -1;
    if (ctype && trigram_cache_use_ctype(self->cache, ctype) != 0)
        logger_warn("the database's LC_CTYPE %s is not installed here: duplicates are scored by C.UTF-8's "
                    "character classes", ctype);
    free(ctype);
    self->ctype_read = true;
    return 0;
}

/* "3,1,2" and "AAAA-AAAA-AAA3,...": the candidates' ids and tracking ids, both in one order. */
static void parse_candidates(check_t *check, const char *ids, const char *tracking_ids)
{
    while (*ids && *tracking_ids && check->count < PRECHECK_CANDIDATES) {
        candidate_t *c = &check->candidates[check->count++];
        char *end;
        c->id = strtoll(ids, &end, 10);
        ids = *end == ',' ? end + 1 : end;
        size_t len = strcspn(tracking_ids, ",");
        snprintf(c->tracking_id, sizeof c->tracking_id, "%.*s", (int) len, tracking_ids);
        tracking_ids += len + (tracking_ids[len] == ',');
    }
}

static int out_of_memory(const char *what, db_error_t *error)
{
    snprintf(error->message, sizeof error->message, "out of memory for %s", what);
    error->sqlstate[0] = '\0';
    return -1;
}

static int fill_check(check_t *check, const PGresult *r, int row, const trigram_cache_t *cache)
{
    *check = (check_t) {0};
    snprintf(check->tracking_id, sizeof check->tracking_id, "%s", PQgetvalue(r, row, 0));
    check->id = strtoll(PQgetvalue(r, row, 1), NULL, 10);
    check->trigrams = trigram_cache_extract(cache, PQgetvalue(r, row, 2), (size_t) PQgetlength(r, row, 2));
    check->threshold = strtod(PQgetvalue(r, row, 3), NULL);
    check->missing = strdup(PQgetvalue(r, row, 4));
    check->abuse_words = strdup(PQgetvalue(r, row, 5));
    parse_candidates(check, PQgetvalue(r, row, 6), PQgetvalue(r, row, 7));
    return check->trigrams && check->missing && check->abuse_words ? 0 : -1;
}

/* The checks of `count` reports into `into`, in their order (unknown reports left out), their
 * number into *got. */
static int read_checks(const trigram_cache_t *cache, db_t *db, const char *const *tracking_ids, size_t count,
                       check_t *into, size_t *got, db_error_t *error)
{
    *got = 0;
    db_array_t ids = {0};
    for (size_t i = 0; i < count; i++)
        db_array_add(&ids, tracking_ids[i]);
    char *literal = db_array_take(&ids);
    if (!literal)
        return out_of_memory("a run's tracking ids", error);
    const char *params[] = {literal};
    PGresult *r = db_exec(db, prechecks_candidates_sql, 1, params, error);
    free(literal);
    if (!r)
        return -1;
    int rc = 0;
    for (int row = 0; row < PQntuples(r) && (size_t) row < count && rc == 0; row++)
        rc = fill_check(&into[(*got)++], r, row, cache);
    PQclear(r);
    return rc == 0 ? 0 : out_of_memory("a report's trigrams", error);
}

/* The trigrams of a report of the run not yet recorded, NULL when it is none of them. */
static const trigram_set_t *run_set_of(const prechecks_t *self, int64_t id)
{
    for (size_t i = self->next; i < self->run_count; i++)
        if (self->run[i].id == id)
            return self->run[i].trigrams;
    return NULL;
}

static candidate_t *candidate_of(check_t *check, int64_t id)
{
    for (size_t i = 0; i < check->count; i++)
        if (check->candidates[i].id == id)
            return &check->candidates[i];
    return NULL;
}

/* Scores the candidates whose trigrams the cache or the run holds; the others' ids go into
 * `missing`. */
static void score_known(const prechecks_t *self, check_t *check, db_array_t *missing)
{
    for (size_t i = 0; i < check->count; i++) {
        const trigram_set_t *set = trigram_cache_get(self->cache, check->candidates[i].id);
        if (!set)
            set = run_set_of(self, check->candidates[i].id);
        if (set) {
            check->candidates[i].alike = trigram_set_similarity(check->trigrams, set);
            check->candidates[i].scored = true;
        } else
            db_array_add_int(missing, check->candidates[i].id);
    }
}

/* Reads the texts of the reports `ids` and keeps their trigrams in the cache, scoring those that
 * are candidates of `check` (when not NULL) on the way: a set just kept may go again before it is
 * used when the cache is full. */
static int read_texts(db_t *db, trigram_cache_t *cache, db_array_t *ids, check_t *check, db_error_t *error)
{
    if (ids->count == 0)
        return 0;
    char *literal = db_array_take(ids);
    if (!literal)
        return out_of_memory("the candidates' ids", error);
    const char *params[] = {literal};
    PGresult *r = db_exec(db, texts_sql, 1, params, error);
    free(literal);
    if (!r)
        return -1;
    for (int row = 0; row < PQntuples(r); row++) {
        int64_t id = strtoll(PQgetvalue(r, row, 0), NULL, 10);
        trigram_set_t *set = trigram_cache_extract(cache, PQgetvalue(r, row, 1), (size_t) PQgetlength(r, row, 1));
        if (!set)
            continue;   /* out of memory: left unscored, as a report that went away */
        candidate_t *c = check ? candidate_of(check, id) : NULL;
        if (c) {
            c->alike = trigram_set_similarity(check->trigrams, set);
            c->scored = true;
        }
        trigram_cache_put(cache, id, &set);
    }
    PQclear(r);
    return 0;
}

/* The most alike first, ties by the older report (lower id): ORDER BY alike DESC, id. */
static int by_likeness(const void *a, const void *b)
{
    const candidate_t *x = a, *y = b;
    if (x->alike != y->alike)
        return x->alike > y->alike ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* The tracking ids of at most PRECHECK_KEPT candidates at or above the threshold, most alike first. The
 * score is pg_trgm's single-precision one and the threshold a numeric setting: PostgreSQL
 * compares the two as double precision, and so does this. */
static char *duplicates_of(const check_t *check)
{
    candidate_t alike[PRECHECK_CANDIDATES];
    size_t n = 0;
    for (size_t i = 0; i < check->count; i++)
        if (check->candidates[i].scored && (double) check->candidates[i].alike >= check->threshold)
            alike[n++] = check->candidates[i];
    qsort(alike, n, sizeof *alike, by_likeness);
    db_array_t ids = {0};
    for (size_t i = 0; i < n && i < PRECHECK_KEPT; i++)
        db_array_add(&ids, alike[i].tracking_id);
    return db_array_take(&ids);
}

/* Scores every candidate of the check: from the kept trigrams, the run's, or read now. */
static int score(prechecks_t *self, db_t *db, check_t *check, db_error_t *error)
{
    db_array_t missing = {0};
    score_known(self, check, &missing);
    return read_texts(db, self->cache, &missing, check, error);
}

/* The run's pre-checks, and the reports' text where the staff search finds it: both are what the
 * desk knows of a new report once verify has read it. */
static int insert_checks(db_t *db, const check_t *checks, size_t count, int64_t now_ms, db_error_t *error)
{
    db_array_t columns[4];
    memset(columns, 0, sizeof columns);
    bool ok = true;
    for (size_t i = 0; i < count; i++) {
        char *duplicates = duplicates_of(&checks[i]);
        ok = ok && duplicates;
        db_array_add_int(&columns[0], checks[i].id);
        db_array_add(&columns[1], checks[i].missing);
        db_array_add(&columns[2], checks[i].abuse_words);
        db_array_add(&columns[3], duplicates);
        free(duplicates);
    }
    char *owned[4];
    const char *params[5];
    ok = db_array_take_columns(columns, 4, owned, params) && ok;
    char now[24];
    snprintf(now, sizeof now, "%lld", (long long) now_ms);
    params[4] = now;
    int rc = ok ? db_exec_ok(db, prechecks_insert_sql, 5, params, error) : out_of_memory("the pre-checks", error);
    if (rc == 0)
        rc = report_search_add(db, params[0], error);
    for (size_t c = 0; c < 4; c++)
        free(owned[c]);
    return rc;
}

/* A recorded check's trigrams go to the cache, where the next reports' candidates look. */
static void keep_trigrams(prechecks_t *self, check_t *check)
{
    trigram_cache_put(self->cache, check->id, &check->trigrams);
    check_clear(check);
}

/* The candidates of the run's reports that neither the cache nor the run holds, read in one
 * statement. */
static int read_run_texts(prechecks_t *self, db_t *db, db_error_t *error)
{
    db_array_t missing = {0};
    for (size_t i = 0; i < self->run_count; i++)
        for (size_t k = 0; k < self->run[i].count; k++) {
            int64_t id = self->run[i].candidates[k].id;
            if (!trigram_cache_get(self->cache, id) && !run_set_of(self, id))
                db_array_add_int(&missing, id);
        }
    return read_texts(db, self->cache, &missing, NULL, error);
}

int prechecks_run_start(prechecks_t *self, db_t *db, const char *const *tracking_ids, size_t count, int64_t now_ms,
                        db_error_t *error)
{
    if (read_ctype(self, db, error) != 0)
        return -1;
    run_clear(self);
    if (count > self->run_size) {
        check_t *run = realloc(self->run, count * sizeof *run);
        if (!run)
            return out_of_memory("a run's pre-checks", error);
        self->run = run;
        self->run_size = count;
    }
    if (read_checks(self->cache, db, tracking_ids, count, self->run, &self->run_count, error) != 0
        || read_run_texts(self, db, error) != 0)
        return -1;
    for (size_t i = 0; i < self->run_count; i++)
        if (score(self, db, &self->run[i], error) != 0)
            return -1;
    if (self->run_count == 0)
        return 0;
    return db_defer(db, error) == 0 ? insert_checks(db, self->run, self->run_count, now_ms, error) : -1;
}

/* The run's check of the report, already recorded by prechecks_run_start; NULL when the run has none. */
static check_t *run_check_of(prechecks_t *self, const char *tracking_id)
{
    for (size_t i = self->next; i < self->run_count; i++)
        if (strcmp(self->run[i].tracking_id, tracking_id) == 0) {
            self->next = i + 1;
            return &self->run[i];
        }
    return NULL;
}

int prechecks_record(prechecks_t *self, db_t *db, const char *tracking_id, int64_t now_ms, db_error_t *error)
{
    check_t *recorded = run_check_of(self, tracking_id);
    if (recorded) {
        keep_trigrams(self, recorded);
        if (self->next == self->run_count)
            run_release(self);
        return 0;
    }
    if (read_ctype(self, db, error) != 0)
        return -1;
    check_t single;
    size_t got = 0;
    int rc = read_checks(self->cache, db, &tracking_id, 1, &single, &got, error);
    if (got == 0)
        return rc;
    if (rc == 0)
        rc = score(self, db, &single, error);
    if (rc == 0)
        rc = insert_checks(db, &single, 1, now_ms, error);
    keep_trigrams(self, &single);
    return rc;
}
