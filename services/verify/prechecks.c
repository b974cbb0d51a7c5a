#include "prechecks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_array.h"
#include "logger.h"
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

/* The report, the threshold and the candidates' ids. The scores are computed here, not by pg_trgm
 * in the database: 50 similarity() calls per report were nearly all of verify's database time,
 * and each of them extracted both texts' trigrams again. */
const char prechecks_candidates_sql[] =
    "WITH settings AS ("
    "    SELECT COALESCE(max(value) FILTER (WHERE key = 'duplicate_similarity'), 1) AS similar, "
    "           COALESCE(max(value) FILTER (WHERE key = 'duplicate_window_days'), 0) AS window_days "
    "    FROM lifecycle_settings) "
    "SELECT r.id, r.title || ' ' || r.body, s.similar, "
    "  ARRAY(SELECT o.id FROM reports o "
    "        WHERE o.region_code = r.region_code AND o.category_code = r.category_code AND o.id <> r.id "
    "          AND o.submitted_at <= r.submitted_at "
    "          AND o.submitted_at >= r.submitted_at - make_interval(days => s.window_days::int) "
    "        ORDER BY o.submitted_at DESC LIMIT " NUMBER_TEXT(PRECHECK_CANDIDATES) ") "
    "FROM reports r CROSS JOIN settings s WHERE r.tracking_id = $1";

static const char texts_sql[] = "SELECT id, title || ' ' || body FROM reports WHERE id = ANY ($1::bigint[])";

const char prechecks_insert_sql[] =
    "WITH settings AS ("
    "    SELECT COALESCE(max(value) FILTER (WHERE key = 'complete_body_min_chars'), 0) AS body_min "
    "    FROM lifecycle_settings) "
    "INSERT INTO report_prechecks (report_id, missing, abuse_words, possible_duplicates, checked_at) "
    "SELECT r.id, "
    "  array_remove(ARRAY["
    "    CASE WHEN char_length(r.body) < s.body_min THEN 'body' END, "
    "    CASE WHEN r.incident_date IS NULL THEN 'incident_date' END, "
    "    CASE WHEN r.address IS NULL AND r.lat IS NULL THEN 'location' END, "
    "    CASE WHEN NOT r.anonymous AND r.reporter_email IS NULL AND r.reporter_phone IS NULL THEN 'contact' END"
    "  ], NULL), "
    "  ARRAY(SELECT w.word FROM abuse_words w "
    "        WHERE w.word = ANY (regexp_split_to_array(lower(r.title || ' ' || r.body), '[^[:alnum:]]+')) "
    "        ORDER BY w.word), "
    "  ARRAY(SELECT o.tracking_id FROM unnest($2::bigint[]) WITH ORDINALITY AS d(id, n) "
    "        JOIN reports o ON o.id = d.id ORDER BY d.n), "
    "  to_timestamp($3::bigint / 1000.0) "
    "FROM reports r CROSS JOIN settings s WHERE r.id = $1 "
    "ON CONFLICT (report_id) DO NOTHING";

struct prechecks_t {
    trigram_cache_t *cache;
    bool ctype_read;    /* the database's LC_CTYPE, which decides what a word is, is known */
};

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
    trigram_cache_destroy(&(*self_p)->cache);
    free(*self_p);
    *self_p = NULL;
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

typedef struct {
    int64_t id;
    float alike;
    bool scored;
} candidate_t;

typedef struct {
    int64_t id;
    trigram_set_t *trigrams;
    double threshold;
    candidate_t candidates[PRECHECK_CANDIDATES];
    size_t count;
} check_t;

/* "{3,1,2}": the candidates' ids, newest first. */
static void parse_ids(check_t *check, const char *array)
{
    const char *p = array + (*array == '{');
    while (*p && *p != '}' && check->count < PRECHECK_CANDIDATES) {
        char *end;
        check->candidates[check->count++] = (candidate_t) {.id = strtoll(p, &end, 10)};
        p = *end == ',' ? end + 1 : end;
        if (end == p)
            break;
    }
}

/* 1 when the report exists and check is filled, 0 when there is no such report, -1 failure. */
static int read_candidates(db_t *db, trigram_cache_t *cache, const char *tracking_id, check_t *check,
                           db_error_t *error)
{
    const char *params[] = {tracking_id};
    PGresult *r = db_exec(db, prechecks_candidates_sql, 1, params, error);
    if (!r)
        return -1;
    int found = PQntuples(r) == 1;
    if (found) {
        check->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        check->trigrams = trigram_cache_extract(cache, PQgetvalue(r, 0, 1), (size_t) PQgetlength(r, 0, 1));
        check->threshold = strtod(PQgetvalue(r, 0, 2), NULL);
        parse_ids(check, PQgetvalue(r, 0, 3));
    }
    PQclear(r);
    if (found && !check->trigrams) {
        snprintf(error->message, sizeof error->message, "out of memory for the trigrams of %s", tracking_id);
        error->sqlstate[0] = '\0';
        return -1;
    }
    return found;
}

static candidate_t *candidate_of(check_t *check, int64_t id)
{
    for (size_t i = 0; i < check->count; i++)
        if (check->candidates[i].id == id)
            return &check->candidates[i];
    return NULL;
}

/* Scores the candidates whose trigrams the cache holds; the others' ids go into `missing`. */
static void score_cached(check_t *check, const trigram_cache_t *cache, db_array_t *missing)
{
    for (size_t i = 0; i < check->count; i++) {
        const trigram_set_t *set = trigram_cache_get(cache, check->candidates[i].id);
        if (set) {
            check->candidates[i].alike = trigram_set_similarity(check->trigrams, set);
            check->candidates[i].scored = true;
        } else
            db_array_add_int(missing, check->candidates[i].id);
    }
}

/* Reads the texts of the candidates the cache lacks, scores them and keeps their trigrams. */
static int score_missing(db_t *db, check_t *check, trigram_cache_t *cache, db_array_t *missing, db_error_t *error)
{
    if (missing->count == 0)
        return 0;
    char *ids = db_array_take(missing);
    const char *params[] = {ids};
    PGresult *r = ids ? db_exec(db, texts_sql, 1, params, error) : NULL;
    free(ids);
    if (!r)
        return -1;
    for (int row = 0; row < PQntuples(r); row++) {
        candidate_t *c = candidate_of(check, strtoll(PQgetvalue(r, row, 0), NULL, 10));
        trigram_set_t *set = trigram_cache_extract(cache, PQgetvalue(r, row, 1), (size_t) PQgetlength(r, row, 1));
        if (!c || !set) {
            trigram_set_destroy(&set);
            continue;
        }
        c->alike = trigram_set_similarity(check->trigrams, set);
        c->scored = true;
        trigram_cache_put(cache, c->id, &set);
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

/* The ids of at most PRECHECK_KEPT candidates at or above the threshold, most alike first. The
 * score is pg_trgm's single-precision one and the threshold a numeric setting: PostgreSQL
 * compares the two as double precision, and so does this. */
static char *duplicates_of(check_t *check)
{
    candidate_t alike[PRECHECK_CANDIDATES];
    size_t n = 0;
    for (size_t i = 0; i < check->count; i++)
        if (check->candidates[i].scored && (double) check->candidates[i].alike >= check->threshold)
            alike[n++] = check->candidates[i];
    qsort(alike, n, sizeof *alike, by_likeness);
    db_array_t ids = {0};
    for (size_t i = 0; i < n && i < PRECHECK_KEPT; i++)
        db_array_add_int(&ids, alike[i].id);
    return db_array_take(&ids);
}

static int insert(db_t *db, const check_t *check, const char *duplicates, int64_t now_ms, db_error_t *error)
{
    char id[24], now[24];
    snprintf(id, sizeof id, "%lld", (long long) check->id);
    snprintf(now, sizeof now, "%lld", (long long) now_ms);
    const char *params[] = {id, duplicates, now};
    return db_exec_ok(db, prechecks_insert_sql, 3, params, error);
}

int prechecks_record(prechecks_t *self, db_t *db, const char *tracking_id, int64_t now_ms, db_error_t *error)
{
    if (read_ctype(self, db, error) != 0)
        return -1;
    trigram_cache_t *cache = self->cache;
    check_t check = {0};
    int found = read_candidates(db, cache, tracking_id, &check, error);
    if (found <= 0)
        return found;
    db_array_t missing = {0};
    score_cached(&check, cache, &missing);
    int rc = score_missing(db, &check, cache, &missing, error);
    char *duplicates = rc == 0 ? duplicates_of(&check) : NULL;
    if (rc == 0 && !duplicates) {
        snprintf(error->message, sizeof error->message, "out of memory for the duplicates of %s", tracking_id);
        error->sqlstate[0] = '\0';
        rc = -1;
    }
    if (rc == 0)
        rc = insert(db, &check, duplicates, now_ms, error);
    free(duplicates);
    trigram_cache_put(cache, check.id, &check.trigrams);
    return rc;
}
